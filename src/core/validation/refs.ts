/**
 * Following `$ref`s the way ajv does, without ajv: to a JSON pointer in the root or in one of the
 * documents the schema references (sibling files), by ajv's own URI library and base-URI rules. Only
 * the plain cases are followed; anchors, `$id`s embedded below a document's root and `$dynamicRef`
 * are left unresolved, so a caller that needs ajv's exact answer can defer to ajv.
 */
import { createRequire } from 'node:module'
import type { JsonSchema } from '../dataset.js'

/** Documents a schema's `$ref`s reach, by absolute URI; each document's `$id`, when set, is that URI. */
export type SchemaRefs = Readonly<Record<string, JsonSchema>>

type Schema = Record<string, unknown> | boolean

/** The schema a `$ref` leads to, and the base URI that the `$ref`s inside it resolve against. */
interface Target {
  schema: unknown
  base: string
}

export interface RefResolver {
  /** the base URI of the root's own `$ref`s: its `$id`, or '' */
  rootBase: string
  resolve(ref: string, base: string): Target | undefined
}

/** A CommonJS module exporting only `default` (see checks.ts for why it is required, not imported). */
const require = createRequire(import.meta.url)
const uri: typeof import('ajv/dist/runtime/uri.js').default = require('ajv/dist/runtime/uri.js').default

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** ajv's `normalizeId`: a trailing `#` or `#/` names the document itself. */
function normalizeId(id: string): string {
  return id.replace(/#\/?$/, '')
}

/** ajv's key for the document a URI points into: its serialised form, fragment dropped. */
function documentUri(id: string): string {
  return uri.serialize(uri.parse(normalizeId(id))).split('#')[0] ?? ''
}

/** ajv's reading of a pointer segment: percent-decoded, then `~1` and `~0` unescaped. */
function unescapeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment).replace(/~1/g, '/').replace(/~0/g, '~')
  } catch {
    return undefined
  }
}

/** The value a JSON pointer names, or undefined when it names nothing or crosses an embedded `$id`. */
function walk(document: JsonSchema, pointer: string): unknown {
  let node: unknown = document
  for (const segment of pointer.split('/').slice(1)) {
    const key = unescapeSegment(segment)
    if (key === undefined || typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined
    node = (node as Record<string, unknown>)[key]
    // an `$id` below the root changes the base URI by rules not copied here
    if (isObject(node) && node.$id !== undefined) return undefined
  }
  return node
}

export function refResolver(root: JsonSchema, refs: SchemaRefs = {}): RefResolver {
  const rootBase = typeof root.$id === 'string' ? normalizeId(root.$id) : ''
  const documents = new Map<string, JsonSchema>()
  for (const [key, document] of Object.entries(refs)) {
    // a document whose `$id` is not its key has two names to ajv; not worth copying
    if (document.$id === undefined || normalizeId(String(document.$id)) === normalizeId(key)) {
      documents.set(documentUri(key), document)
    }
  }
  // set last: ajv reads a `$ref` into the root's own URI from the root
  documents.set(documentUri(rootBase), root)
  return {
    rootBase,
    resolve(ref, base) {
      const parsed = uri.parse(uri.resolve(base, normalizeId(ref)))
      const fragment = parsed.fragment ?? ''
      const at = documentUri(uri.serialize(parsed))
      const document = documents.get(at)
      if (!document || (fragment !== '' && !fragment.startsWith('/'))) return undefined
      const schema = walk(document, fragment)
      return schema === undefined ? undefined : { schema, base: at }
    },
  }
}

/**
 * The schemas a subschema holding `$ref` stands for, all of which apply together: the keywords beside
 * the `$ref`, then each schema along its `$ref` chain, without their `$ref` and without a document's
 * `$id` and `$schema`. ajv 8 applies the keywords beside a `$ref` in every draft, draft-07 included
 * (its ignoreKeywordsWithRef option is off). Undefined when a link cannot be followed, or the chain
 * comes back on itself.
 */
export function refChain(schema: Record<string, unknown>, base: string, resolver: RefResolver): Schema[] | undefined {
  // an `$id` beside the `$ref` would move the base it resolves against
  if (schema.$id !== undefined) return undefined
  const { $ref, ...siblings } = schema
  const chain: Schema[] = [siblings]
  const seen = new Set<string>()
  let ref = $ref
  let at = base
  while (ref !== undefined) {
    const key = `${at} ${String(ref)}`
    if (typeof ref !== 'string' || seen.has(key)) return undefined
    seen.add(key)
    const target = resolver.resolve(ref, at)
    if (typeof target?.schema === 'boolean') return [...chain, target.schema]
    if (!target || !isObject(target.schema)) return undefined
    const { $ref: next, $id: _id, $schema: _schema, ...rest } = target.schema
    chain.push(rest)
    ref = next
    at = target.base
  }
  return chain
}

/** Keywords beside `$ref`s merged over the final target, the nearest winning. */
function merged(chain: Schema[]): Schema {
  const target = chain.at(-1)!
  if (chain.includes(false)) return false
  const siblings = chain.slice(0, -1).filter((link) => isObject(link) && Object.keys(link).length > 0)
  if (siblings.length === 0) return target
  return Object.assign({}, target === true ? {} : target, ...siblings.reverse())
}

/**
 * The root's `properties`, each `$ref` replaced by the schema it leads to, for code that reads a
 * property's `type` (CSV column typing, schema drift). Keywords beside a `$ref` are merged over its
 * target, the nearest winning: right for `type`, though not for every keyword (two `maxLength`s both
 * apply). A `$ref` that cannot be followed is left as it is.
 */
export function schemaProperties(schema: JsonSchema, refs?: SchemaRefs): Record<string, Schema> {
  const { properties } = schema
  if (!isObject(properties)) return {}
  const resolver = refResolver(schema, refs)
  const entries = Object.entries(properties).flatMap(([name, property]): [string, Schema][] => {
    if (typeof property === 'boolean') return [[name, property]]
    if (!isObject(property)) return []
    const chain = property.$ref === undefined ? undefined : refChain(property, resolver.rootBase, resolver)
    return [[name, chain ? merged(chain) : property]]
  })
  // fromEntries keeps a property named `__proto__` an own property
  return Object.fromEntries(entries)
}

const views = new WeakMap<JsonSchema, JsonSchema>()

/**
 * The schema as what reads property types sees it (CSV column typing, schema drift): the root's
 * properties with their `$ref`s resolved. Computed once per schema.
 */
export function propertyView(schema: JsonSchema, refs?: SchemaRefs): JsonSchema {
  let view = views.get(schema)
  if (!view) {
    view = { ...schema, properties: schemaProperties(schema, refs) }
    views.set(schema, view)
  }
  return view
}
