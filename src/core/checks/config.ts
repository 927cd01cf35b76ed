import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import datasetSchema from '../../schemas/dataset.schema.json' with { type: 'json' }
import type { OutputColumn, OutputColumnType } from '../formats/columns.js'
import type { Severity } from '../messages.js'

/**
 * The declarative data-quality checks of one dataset, beside its `quality` thresholds (row ratio and
 * rejected rate, which every file gets). Column checks read the written output, so their columns are
 * output columns. Every check is opt-in; `severity` says whether it fails the event or only warns.
 */
export interface DatasetChecks {
  /** share of null values per column, at most `max` (0..1) */
  nullRate?: Array<{ column: string; max: number; severity?: Severity }>
  /** rows whose key (the columns together) was already seen in the same file, at most `max` (default 0) */
  duplicates?: Array<{ columns: string[]; max?: number; severity?: Severity }>
  /** every non-null value of the column is one of `values` */
  allowedValues?: Array<{ column: string; values: Array<string | number>; severity?: Severity }>
  /** the column's min and max lie within [min, max]: numbers for numeric columns, ISO text otherwise */
  range?: Array<{ column: string; min?: number | string; max?: number | string; severity?: Severity }>
  /**
   * the newest value of a timestamp column is at most `maxAgeHours` older than when the file was
   * processed, and at most `maxFutureMinutes` (default 15: clock skew) later than that
   */
  freshness?: { column: string; maxAgeHours: number; maxFutureMinutes?: number; severity?: Severity }
  /** source columns added, removed or retyped versus the dataset's JSON Schema (default severity warn) */
  schemaDrift?: { severity?: Severity }
  /** the night's rows and bytes versus the trailing `nights` nights: robust z-score on median/MAD */
  volume?: { nights?: number; minHistory?: number; maxZ?: number; severity?: Severity }
  /** files expected per night, give or take `tolerance` (default 0) */
  files?: { expected: number; tolerance?: number; severity?: Severity }
}

export const VOLUME_DEFAULTS = { nights: 28, minHistory: 7, maxZ: 3.5 } as const

/**
 * The shape of `checks` is the published dataset.yaml schema's (src/schemas/dataset.schema.json, the
 * file editors check dataset.yaml against), so the two cannot drift apart.
 */
const validate = (() => {
  const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true })
  ajv.addSchema(datasetSchema)
  return ajv.getSchema(`${datasetSchema.$id}#/definitions/checks`) as ValidateFunction<DatasetChecks>
})()

const NUMERIC: ReadonlySet<OutputColumnType> = new Set(['int32', 'int64', 'double'])
const TEMPORAL: ReadonlySet<OutputColumnType> = new Set(['timestamp', 'date'])

/**
 * Every problem with a dataset's `checks`, as `checks.<path>: <problem>` lines: the shape first
 * (JSON Schema, ajv), then what the shape cannot say (the columns exist in the output, bounds and
 * values fit the column's type, min <= max). Empty when the checks are usable.
 */
export function checksProblems(checks: unknown, columns: readonly OutputColumn[]): string[] {
  if (!validate(checks)) return (validate.errors ?? []).map(formatError)
  const types = new Map(columns.map((c) => [c.name, c.type]))
  const problems: string[] = []
  const typeOf = (path: string, name: string): OutputColumnType | undefined => {
    const type = types.get(name)
    if (type === undefined) problems.push(`${path}: ${JSON.stringify(name)} is not an output column`)
    return type
  }
  checks.nullRate?.forEach((c, i) => {
    typeOf(`checks.nullRate.${i}.column`, c.column)
  })
  checks.duplicates?.forEach((c, i) => {
    for (const name of c.columns) typeOf(`checks.duplicates.${i}.columns`, name)
  })
  checks.allowedValues?.forEach((c, i) => {
    const type = typeOf(`checks.allowedValues.${i}.column`, c.column)
    if (type && c.values.some((v) => !fits(type, v))) {
      problems.push(`checks.allowedValues.${i}.values: must all be ${expected(type)} for a ${type} column`)
    }
  })
  checks.range?.forEach((c, i) => {
    if (c.min === undefined && c.max === undefined) problems.push(`checks.range.${i}: needs min, max or both`)
    const type = typeOf(`checks.range.${i}.column`, c.column)
    if (!type) return
    for (const key of ['min', 'max'] as const) {
      const value = c[key]
      if (value !== undefined && !fits(type, value)) {
        problems.push(`checks.range.${i}.${key}: must be ${expected(type)} for a ${type} column`)
      }
    }
    if (c.min !== undefined && c.max !== undefined && typeof c.min === typeof c.max && c.min > c.max) {
      problems.push(`checks.range.${i}: min ${c.min} is greater than max ${c.max}`)
    }
  })
  if (checks.freshness) {
    const type = typeOf('checks.freshness.column', checks.freshness.column)
    if (type && type !== 'timestamp') problems.push(`checks.freshness.column: must be a timestamp column, is ${type}`)
  }
  const volume = { ...VOLUME_DEFAULTS, ...checks.volume }
  if (volume.minHistory > volume.nights) {
    problems.push(`checks.volume.minHistory: ${volume.minHistory} is more than the ${volume.nights} nights kept`)
  }
  return problems
}

/** Numbers compare with numeric columns; ISO text (which orders like the time it names) with the rest. */
function fits(type: OutputColumnType, value: string | number): boolean {
  if (NUMERIC.has(type)) return typeof value === 'number'
  if (type === 'boolean') return false
  return typeof value === 'string' && (!TEMPORAL.has(type) || !Number.isNaN(Date.parse(value)))
}

function expected(type: OutputColumnType): string {
  if (NUMERIC.has(type)) return 'numbers'
  if (type === 'boolean') return 'unsupported (boolean columns have no order or value list)'
  return TEMPORAL.has(type) ? 'ISO date or timestamp strings' : 'strings'
}

function formatError(error: ErrorObject): string {
  const path = ['checks', ...error.instancePath.split('/').filter(Boolean)].join('.')
  if (error.keyword === 'additionalProperties') {
    return `${path}: unknown field ${JSON.stringify(error.params.additionalProperty)}`
  }
  if (error.keyword === 'enum') return `${path}: ${error.message} (${error.params.allowedValues.join(', ')})`
  return `${path}: ${error.message}`
}
