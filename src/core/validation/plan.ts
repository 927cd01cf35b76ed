import { isDeepStrictEqual } from 'node:util'
import type { JsonSchema } from '../dataset.js'
import { shadowsPrototype } from './batch.js'
import { type FormatTest, formatTest } from './formats.js'
import { type RefResolver, refChain, refResolver, type SchemaRefs } from './refs.js'

type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'null' | 'array' | 'object'

/** One property's constraints, limited to the keywords the column checks implement (see checks.ts). */
export interface PropertyRules {
  /** undefined when the schema has no `type`, i.e. any type */
  types?: readonly JsonType[]
  enum?: readonly unknown[]
  /** boxed so that a schema's `const` is told apart from no `const` */
  const?: { value: unknown }
  minimum?: number
  maximum?: number
  exclusiveMinimum?: number
  exclusiveMaximum?: number
  multipleOf?: number
  minLength?: number
  maxLength?: number
  pattern?: RegExp
  format?: { name: string; test: FormatTest }
}

interface PropertyPlan {
  name: string
  required: boolean
  /** `true` or `false` for a boolean subschema */
  rules: PropertyRules | boolean
}

export interface SchemaPlan {
  /** declared properties, then required names that have no declaration */
  properties: PropertyPlan[]
  /** `additionalProperties: false`, or `unevaluatedProperties: false` without additionalProperties */
  closed: boolean
}

type PlanResult = { ok: true; plan: SchemaPlan } | { ok: false; reason: string }

/** Keywords ajv treats as annotations: they never change a verdict. */
const ANNOTATIONS = new Set([
  '$comment',
  'title',
  'description',
  'default',
  'examples',
  'readOnly',
  'writeOnly',
  'deprecated',
  'contentMediaType',
  'contentEncoding',
])
/** Containers for subschemas that only a `$ref` uses: they never change a verdict themselves. */
const DEFINITIONS = new Set(['$defs', 'definitions'])
const ROOT_KEYWORDS = new Set([
  '$schema',
  '$id',
  ...DEFINITIONS,
  'type',
  'properties',
  'required',
  'additionalProperties',
  'unevaluatedProperties',
])
const NUMBER_KEYWORDS = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf'] as const
const LENGTH_KEYWORDS = ['minLength', 'maxLength'] as const
const PROPERTY_KEYWORDS = new Set<string>([
  'type',
  'enum',
  'const',
  'pattern',
  'format',
  ...NUMBER_KEYWORDS,
  ...LENGTH_KEYWORDS,
])

class Unsupported extends Error {}

function unsupported(reason: string): never {
  throw new Unsupported(reason)
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Whether a value could have come from a JSON document. An enum or const holding NaN, a BigInt or a
 * Date can only come from a schema built in code, and ajv compares those in ways (`===` for some
 * entries, deep equality for others) this module does not copy.
 */
function isJson(value: unknown): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true
  if (typeof value === 'number') return Number.isFinite(value)
  if (Array.isArray(value)) return value.every(isJson)
  if (isObject(value) && Object.getPrototypeOf(value) === Object.prototype) return Object.values(value).every(isJson)
  return false
}

function checkKeywords(schema: Record<string, unknown>, allowed: Set<string>, where: string): void {
  for (const keyword of Object.keys(schema)) {
    if (!allowed.has(keyword) && !ANNOTATIONS.has(keyword)) {
      unsupported(`${where} uses keyword "${keyword}", which the columnar validator does not compile`)
    }
  }
}

function typesOf(type: unknown): readonly JsonType[] | undefined {
  if (type === undefined) return undefined
  return (Array.isArray(type) ? type : [type]) as JsonType[]
}

/** `integer` values are numbers too, so `number` and `integer` meet in `integer`. */
function intersectTypes(a: readonly JsonType[] | undefined, b: readonly JsonType[] | undefined) {
  if (!a || !b) return a ?? b
  const within = (type: JsonType, types: readonly JsonType[]) =>
    types.includes(type) || (type === 'integer' && types.includes('number'))
  return [...new Set([...a.filter((type) => within(type, b)), ...b.filter((type) => within(type, a))])]
}

/**
 * One schema for several that all apply: their types intersected, and every other keyword taken from
 * the one schema that has it. A keyword two of them give different values (two `maxLength`s, two
 * `pattern`s) is left to ajv rather than combined here.
 */
function conjoin(schemas: (Record<string, unknown> | boolean)[], where: string): Record<string, unknown> | boolean {
  if (schemas.includes(false)) return false
  const merged: Record<string, unknown> = {}
  let types: readonly JsonType[] | undefined
  for (const schema of schemas) {
    if (schema === true) continue
    for (const [keyword, value] of Object.entries(schema)) {
      if (keyword === 'type') types = intersectTypes(types, typesOf(value))
      else if (ANNOTATIONS.has(keyword) || DEFINITIONS.has(keyword)) continue
      else if (!Object.hasOwn(merged, keyword)) merged[keyword] = value
      else if (!isDeepStrictEqual(merged[keyword], value)) {
        unsupported(`${where} gives "${keyword}" different values beside the $ref and in its target`)
      }
    }
  }
  if (types) merged.type = types
  return merged
}

/** A property whose schema is a `$ref` gets the rules of everything its `$ref` chain applies. */
function propertyRules(schema: unknown, where: string, resolver: RefResolver): PropertyRules | boolean {
  if (typeof schema === 'boolean') return schema
  if (!isObject(schema)) return unsupported(`${where} is not a schema object`)
  if (schema.$ref === undefined) return flatRules(schema, where)
  const at = `${where} ($ref ${JSON.stringify(schema.$ref)})`
  const chain =
    refChain(schema, resolver.rootBase, resolver) ??
    unsupported(`${at} leads where the columnar validator does not follow`)
  const conjoined = conjoin(chain, at)
  return typeof conjoined === 'boolean' ? conjoined : flatRules(conjoined, at)
}

function flatRules(schema: Record<string, unknown>, where: string): PropertyRules {
  checkKeywords(schema, PROPERTY_KEYWORDS, where)
  const rules: PropertyRules = { types: typesOf(schema.type) }
  if (schema.enum !== undefined) {
    if (!isJson(schema.enum)) unsupported(`${where} has an enum value that is not plain JSON`)
    rules.enum = schema.enum as unknown[]
  }
  if ('const' in schema) {
    if (!isJson(schema.const)) unsupported(`${where} has a const that is not plain JSON`)
    rules.const = { value: schema.const }
  }
  for (const keyword of [...NUMBER_KEYWORDS, ...LENGTH_KEYWORDS]) {
    const limit = schema[keyword]
    if (limit === undefined) continue
    if (typeof limit !== 'number') unsupported(`${where} has a non-numeric ${keyword}`)
    rules[keyword] = limit
  }
  if (schema.pattern !== undefined) {
    // ajv compiles every pattern with the `u` flag (its unicodeRegExp option defaults to true)
    rules.pattern = new RegExp(String(schema.pattern), 'u')
  }
  if (schema.format !== undefined) {
    const name = String(schema.format)
    const test = formatTest(name)
    if (!test) unsupported(`${where} uses format "${name}", which the columnar validator does not check`)
    rules.format = { name, test }
  }
  return rules
}

function buildPlan(schema: JsonSchema, refs: SchemaRefs): SchemaPlan {
  checkKeywords(schema, ROOT_KEYWORDS, 'the schema')
  const rootTypes = typesOf(schema.type)
  if (rootTypes && !rootTypes.includes('object')) unsupported('the schema does not describe an object')
  const { properties = {}, required = [], additionalProperties, unevaluatedProperties } = schema
  // additionalProperties evaluates every property, leaving unevaluatedProperties nothing to check
  const others = additionalProperties ?? unevaluatedProperties ?? true
  if (typeof others !== 'boolean') {
    const keyword = additionalProperties === undefined ? 'unevaluatedProperties' : 'additionalProperties'
    unsupported(`${keyword} is a schema, not true or false`)
  }
  if (!isObject(properties)) unsupported('properties is not an object')
  if (!Array.isArray(required)) unsupported('required is not an array')
  const requiredNames = new Set(required.map(String))
  const resolver = refResolver(schema, refs)
  const plans: PropertyPlan[] = []
  for (const [name, subschema] of Object.entries(properties)) {
    const rules = propertyRules(subschema, `property "${name}"`, resolver)
    plans.push({ name, required: requiredNames.has(name), rules })
  }
  // ajv's strictRequired refuses these today; planned anyway so that relaxing it cannot drop a required check
  for (const name of requiredNames) {
    if (!Object.hasOwn(properties, name)) plans.push({ name, required: true, rules: true })
  }
  for (const { name } of plans) {
    if (shadowsPrototype(name)) unsupported(`property "${name}" is also an Object.prototype member`)
  }
  return { properties: plans, closed: others === false }
}

/**
 * Reads a row schema into per-property rules, or says why it cannot: anything beyond a flat object
 * of typed, constrained properties (nested objects, arrays, combinators, conditionals, unknown
 * formats...) is left to ajv. A property may be a `$ref` (into the schema or a document in `refs`)
 * to such a property. Expects a schema ajv has already compiled, so keyword values are well formed.
 */
export function planSchema(schema: JsonSchema, refs: SchemaRefs = {}): PlanResult {
  try {
    return { ok: true, plan: buildPlan(schema, refs) }
  } catch (err) {
    if (err instanceof Unsupported) return { ok: false, reason: err.message }
    throw err
  }
}
