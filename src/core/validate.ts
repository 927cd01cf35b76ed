import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv'
import { Ajv2019 } from 'ajv/dist/2019.js'
import { Ajv2020 } from 'ajv/dist/2020.js'
import type core from 'ajv/dist/core.js'
import addFormats from 'ajv-formats'
import { ConfigError } from '../errors.js'
import type { DatasetInfo, JsonSchema, Row } from './dataset.js'
import { DRAFT_07_HTTPS, type Draft, declaredDraft, META_SCHEMAS, SUPPORTED_SCHEMAS } from './validation/drafts.js'
import type { SchemaRefs } from './validation/refs.js'

/** One reason a row failed, in ajv's own terms so verdicts can be compared with other validators. */
export interface RowError {
  /** JSON Pointer to the offending value; `''` for the row itself (e.g. a missing property) */
  instancePath: string
  keyword: string
  message: string
  params: Record<string, unknown>
}

export type RowVerdict = { valid: true } | { valid: false; errors: RowError[] }

/** The reference row validator: later, faster validators must return identical verdicts. */
export type ValidateRow = (row: Row) => RowVerdict

const VALID: RowVerdict = Object.freeze({ valid: true })

/** The class Ajv, Ajv2019 and Ajv2020 share (the CommonJS module's `default`). */
type AnyAjv = core.default

/**
 * `strict` turns a misspelt keyword into a compile error instead of a rule that silently never runs;
 * `allowUnionTypes` permits the `["string", "null"]` idiom for nullable fields.
 */
const OPTIONS: Options = { allErrors: true, strict: true, allowUnionTypes: true }

/**
 * One Ajv per schema keeps datasets isolated (two schemas may share an `$id`). From 2019-09 on, an open
 * tuple (`prefixItems` without a matching `minItems`) is ordinary, so strictTuples would refuse
 * everyday schemas there.
 */
function newAjv(draft: Draft): AnyAjv {
  let ajv: AnyAjv
  if (draft === '2019-09') ajv = new Ajv2019({ ...OPTIONS, strictTuples: false })
  else if (draft === '2020-12') ajv = new Ajv2020({ ...OPTIONS, strictTuples: false })
  else {
    ajv = new Ajv(OPTIONS)
    const meta = ajv.getSchema(META_SCHEMAS['draft-07'])?.schema
    if (typeof meta === 'object') ajv.addMetaSchema(meta, DRAFT_07_HTTPS)
  }
  addFormats.default(ajv)
  return ajv
}

/** The root's draft, which every document it references must share: one Ajv class reads them all. */
function schemaDraft(schema: JsonSchema, refs: SchemaRefs, name: string): Draft {
  const draft = declaredDraft(schema)
  if (!draft) {
    throw new ConfigError(`dataset ${name}: unsupported $schema ${JSON.stringify(schema.$schema)}`, [
      `supported: ${SUPPORTED_SCHEMAS.join(', ')} (each with or without a trailing #), or none for draft-07`,
    ])
  }
  const mixed = Object.entries(refs)
    .filter(([, document]) => document.$schema !== undefined && declaredDraft(document) !== draft)
    .map(([uri, document]) => `${uri} declares $schema ${JSON.stringify(document.$schema)}`)
  if (mixed.length > 0) {
    throw new ConfigError(`dataset ${name}: the documents the schema references must use its draft (${draft})`, mixed)
  }
  return draft
}

function toRowError(error: ErrorObject): RowError {
  return {
    instancePath: error.instancePath,
    keyword: error.keyword,
    message: error.message ?? error.keyword,
    params: error.params,
  }
}

/**
 * Compiles a row schema in the draft its `$schema` names (draft-07, 2019-09 or 2020-12). `refs` holds
 * the documents its `$ref`s reach by absolute URI. Throws ConfigError when the schema is invalid or
 * declares another draft.
 */
export function compileRowValidator(schema: JsonSchema, name: string, refs: SchemaRefs = {}): ValidateRow {
  const ajv = newAjv(schemaDraft(schema, refs, name))
  let validate: ValidateFunction
  try {
    // keyed by URI too, so a document resolves even without its own `$id`
    for (const [uri, document] of Object.entries(refs)) ajv.addSchema(document, uri)
    validate = ajv.compile(schema)
  } catch (err) {
    throw new ConfigError(`dataset ${name}: invalid JSON Schema`, [err instanceof Error ? err.message : String(err)], {
      cause: err,
    })
  }
  return (row) => (validate(row) ? VALID : { valid: false, errors: (validate.errors ?? []).map(toRowError) })
}

const compiled = new WeakMap<JsonSchema, ValidateRow>()

/** The dataset's row validator, compiled on first use and then reused for every file. */
export function rowValidator(dataset: DatasetInfo): ValidateRow {
  let validate = compiled.get(dataset.schema)
  if (!validate) {
    validate = compileRowValidator(dataset.schema, dataset.name, dataset.schemaRefs)
    compiled.set(dataset.schema, validate)
  }
  return validate
}
