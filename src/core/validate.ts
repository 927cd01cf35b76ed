import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import { ConfigError } from '../errors.js'
import type { Dataset, JsonSchema, Row } from './dataset.js'

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

/**
 * One Ajv per schema keeps datasets isolated (two schemas may share an `$id`). `strict` turns a
 * misspelt keyword into a compile error instead of a rule that silently never runs;
 * `allowUnionTypes` permits the `["string", "null"]` idiom for nullable fields.
 */
function newAjv(): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true })
  addFormats.default(ajv)
  return ajv
}

function toRowError(error: ErrorObject): RowError {
  return {
    instancePath: error.instancePath,
    keyword: error.keyword,
    message: error.message ?? error.keyword,
    params: error.params,
  }
}

/** Compiles a draft-07 row schema. Throws ConfigError when the schema itself is invalid. */
export function compileRowValidator(schema: JsonSchema, name: string): ValidateRow {
  let validate: ValidateFunction
  try {
    validate = newAjv().compile(schema)
  } catch (err) {
    throw new ConfigError(`dataset ${name}: invalid JSON Schema`, [err instanceof Error ? err.message : String(err)], {
      cause: err,
    })
  }
  return (row) => (validate(row) ? VALID : { valid: false, errors: (validate.errors ?? []).map(toRowError) })
}

const compiled = new WeakMap<JsonSchema, ValidateRow>()

/** The dataset's row validator, compiled on first use and then reused for every file. */
export function rowValidator(dataset: Dataset): ValidateRow {
  let validate = compiled.get(dataset.schema)
  if (!validate) {
    validate = compileRowValidator(dataset.schema, dataset.name)
    compiled.set(dataset.schema, validate)
  }
  return validate
}
