/**
 * The lists of older writers, shown to hyparquet in the three-level LIST form of the spec, which it
 * assembles exactly. Each rewrite keeps the column's repetition and definition levels, so the pages
 * decode the same:
 * - a repeated primitive (`repeated int32 x`, protobuf's lists, old Avro's `array`): hyparquet reads
 *   its empty list as null, which cannot be told from a null list afterwards;
 * - the backward-compatibility rules of the LIST spec: a repeated group of several fields, or of one
 *   field named `array` or `<list>_tuple`, is itself the element (a struct), where hyparquet would
 *   take its fields apart.
 */
import { type FileMetaData, parquetSchema, type SchemaElement, type SchemaTree } from 'hyparquet'

/** A schema node after rewriting; a leaf knows its path in the file. */
interface Node {
  element: SchemaElement
  children: Node[]
  source?: string
}

function isList(element: SchemaElement): boolean {
  return element.converted_type === 'LIST' || element.logical_type?.type === 'LIST'
}

function group(name: string, repetition: 'REQUIRED' | 'REPEATED', children: Node[], list = false): Node {
  const element: SchemaElement = { name, repetition_type: repetition, num_children: children.length }
  if (list) Object.assign(element, { converted_type: 'LIST', logical_type: { type: 'LIST' } })
  return { element, children }
}

/** `tree` rewritten; `changed` is set when anything was. */
function rewrite(tree: SchemaTree, parent: SchemaElement | undefined, changed: { any: boolean }): Node {
  const { element } = tree
  const twoLevel = parent !== undefined && isList(parent) && parent.num_children === 1
  if (tree.children.length === 0) {
    const source = tree.path.join('.')
    if (element.repetition_type !== 'REPEATED' || !parent) return { element, children: [], source }
    changed.any = true
    const { num_children: _, ...value } = element
    const leaf: Node = { element: { ...value, name: 'element', repetition_type: 'REQUIRED' }, children: [], source }
    if (twoLevel) return group(element.name, 'REPEATED', [leaf])
    return group(element.name, 'REQUIRED', [group('list', 'REPEATED', [leaf])], true)
  }
  const children = tree.children.map((child) => rewrite(child, element, changed))
  const isElement =
    twoLevel &&
    element.repetition_type === 'REPEATED' &&
    (children.length > 1 || element.name === 'array' || element.name === `${parent.name}_tuple`)
  if (!isElement) return { element, children }
  changed.any = true
  return { element: { ...element, num_children: 1 }, children: [group('element', 'REQUIRED', children)] }
}

/** The depth-first element list of `node`, and each leaf's new path by its path in the file. */
function flatten(node: Node, path: string[], schema: SchemaElement[], paths: Map<string, string[]>): void {
  schema.push(node.children.length > 0 ? { ...node.element, num_children: node.children.length } : node.element)
  if (node.source !== undefined) paths.set(node.source, path)
  for (const child of node.children) flatten(child, [...path, child.element.name], schema, paths)
}

/** `metadata` with its older lists rewritten; the same object when it has none. */
export function withStandardLists(metadata: FileMetaData): FileMetaData {
  const changed = { any: false }
  const tree = rewrite(parquetSchema(metadata), undefined, changed)
  if (!changed.any) return metadata
  const schema: SchemaElement[] = []
  const paths = new Map<string, string[]>()
  flatten(tree, [], schema, paths)
  return {
    ...metadata,
    schema,
    row_groups: metadata.row_groups.map((rowGroup) => ({
      ...rowGroup,
      columns: rowGroup.columns.map((chunk) => {
        const meta = chunk.meta_data!
        return { ...chunk, meta_data: { ...meta, path_in_schema: paths.get(meta.path_in_schema.join('.'))! } }
      }),
    })),
  }
}
