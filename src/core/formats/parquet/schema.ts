/**
 * Checks of a footer's schema, before hyparquet builds its tree: its builder follows `num_children`
 * through the element list without looking, so a damaged count reads past the list (a TypeError on
 * an element that is not there), and the column chunks are matched to leaves by name and order.
 */
import type { SchemaElement, SchemaTree } from 'hyparquet'
import { FormatError } from '../../../errors.js'

/** Deeper than any real schema; it bounds the recursion of hyparquet's tree and assembly. */
const MAX_DEPTH = 64

function schemaError(index: number, element: SchemaElement | undefined, problem: string): FormatError {
  const name = element?.name ? ` (${element.name})` : ''
  return new FormatError(`corrupt Parquet footer: schema element ${index}${name} ${problem}`, {
    context: { schemaElement: index },
  })
}

/** Throws FormatError unless `schema` is a well-formed tree: each group's children there, each leaf typed. */
export function checkSchema(schema: readonly SchemaElement[]): void {
  if (schema.length === 0) throw new FormatError('corrupt Parquet footer: the schema is empty')
  if (schema[0]!.repetition_type === 'REPEATED') throw schemaError(0, schema[0], 'is the root, which cannot repeat')
  // the elements are a depth-first listing: walk it with a stack of the children each group still expects
  const open: Array<{ index: number; left: number; names: Set<string> }> = []
  for (const [index, element] of schema.entries()) {
    const parent = open.at(-1)
    if (index > 0 && !parent) throw schemaError(index, element, 'is beyond the root’s last child')
    if (parent) {
      if (parent.names.has(element.name)) throw schemaError(index, element, `repeats a name of its group`)
      parent.names.add(element.name)
      parent.left--
      if (element.repetition_type === undefined) throw schemaError(index, element, 'has no repetition type')
    }
    const children = element.num_children ?? 0
    if (children > 0) {
      if (element.type !== undefined) throw schemaError(index, element, `is a group with a type (${element.type})`)
      if (open.length >= MAX_DEPTH) throw schemaError(index, element, `nests deeper than ${MAX_DEPTH} levels`)
      open.push({ index, left: children, names: new Set() })
    } else if (index > 0) {
      if (element.type === undefined) throw schemaError(index, element, 'has neither a type nor children')
      if (element.type === 'FIXED_LEN_BYTE_ARRAY' && !((element.type_length ?? 0) > 0)) {
        throw schemaError(index, element, `is a FIXED_LEN_BYTE_ARRAY of length ${element.type_length ?? '(none)'}`)
      }
    }
    while (open.length > 0 && open.at(-1)!.left === 0) open.pop()
  }
  const unfinished = open.at(-1)
  if (unfinished) {
    throw schemaError(unfinished.index, schema[unfinished.index], `is missing ${unfinished.left} of its children`)
  }
}

/** The path from the root to the leaf named by `path`, or undefined when there is no such leaf. */
export function leafPath(tree: SchemaTree, path: readonly string[]): SchemaTree[] | undefined {
  const out = [tree]
  let node = tree
  for (const name of path) {
    const child = node.children.find((candidate) => candidate.element.name === name)
    if (!child) return undefined
    out.push(child)
    node = child
  }
  return node.children.length === 0 && out.length > 1 ? out : undefined
}

/** Dotted paths of every leaf, in schema order. */
export function leafNames(tree: SchemaTree, prefix: readonly string[] = []): string[] {
  return tree.children.flatMap((child) => {
    const path = [...prefix, child.element.name]
    return child.children.length === 0 ? [path.join('.')] : leafNames(child, path)
  })
}
