/**
 * A row validator that runs per column over decoded column arrays, compiled from the dataset's JSON
 * Schema. It gives exactly the verdict ajv gives on each row in its JSON shape (see `rowAt`), without
 * building rows or normalising values for the rows that pass. Only failing rows are materialised, and
 * ajv itself reports their errors, so messages are ajv's by construction. Schemas beyond the supported
 * flat subset (see plan.ts) are validated row by row with ajv, with the same verdict shape.
 */
import { FerryError } from '../../errors.js'
import type { JsonSchema } from '../dataset.js'
import { compileRowValidator, type RowError, type ValidateRow } from '../validate.js'
import {
  type BatchVerdict,
  type ColumnBatch,
  type ColumnValues,
  type CompiledValidator,
  rowAt,
  shadowsPrototype,
} from './batch.js'
import { compileValueCheck, type ValueCheck } from './checks.js'
import { planSchema, type SchemaPlan } from './plan.js'
import type { SchemaRefs } from './refs.js'

export type { BatchVerdict, ColumnBatch, ColumnValues, CompiledValidator } from './batch.js'
export { rowAt } from './batch.js'

interface ColumnRule {
  name: string
  required: boolean
  /** undefined when any present value is acceptable */
  check: ValueCheck | undefined
}

/** Marks rows whose value in this column is missing (when required) or fails the check. */
function markColumn(values: ColumnValues, length: number, rule: ColumnRule, invalid: Uint8Array): void {
  const { check, required } = rule
  if (!check) {
    if (!required) return
    for (let i = 0; i < length; i++) {
      const value = values[i]
      if (value === null || value === undefined) invalid[i] = 1
    }
    return
  }
  for (let i = 0; i < length; i++) {
    const value = values[i]
    if (value === null || value === undefined) {
      if (required) invalid[i] = 1
    } else if (!check(value)) {
      invalid[i] = 1
    }
  }
}

/** Marks rows that hold a value in a column the schema does not allow. */
function markPresent(values: ColumnValues, length: number, invalid: Uint8Array): void {
  for (let i = 0; i < length; i++) {
    const value = values[i]
    if (value !== null && value !== undefined) invalid[i] = 1
  }
}

function columnRules(plan: SchemaPlan): ColumnRule[] {
  return plan.properties.map(({ name, required, rules }) => ({
    name,
    required,
    check: rules === true ? undefined : rules === false ? () => false : compileValueCheck(rules),
  }))
}

/** The ajv-fallback path, also taken for batches whose column names only ajv can interpret. */
function validateRows(batch: ColumnBatch, reference: ValidateRow): BatchVerdict {
  const invalid = new Uint8Array(batch.length)
  const errors = new Map<number, RowError[]>()
  for (let i = 0; i < batch.length; i++) {
    const verdict = reference(rowAt(batch, i))
    if (!verdict.valid) {
      invalid[i] = 1
      errors.set(i, verdict.errors)
    }
  }
  return { invalid, invalidCount: errors.size, errors }
}

function columnarValidator(plan: SchemaPlan, reference: ValidateRow, name: string): CompiledValidator {
  const rules = columnRules(plan)
  const declared = new Set(rules.map((rule) => rule.name))
  return {
    mode: 'columnar',
    validate(batch) {
      // the columns rowAt sees: own enumerable properties
      const columns = new Map(Object.entries(batch.columns))
      if ([...columns.keys()].some(shadowsPrototype)) return validateRows(batch, reference)
      const { length } = batch
      const invalid = new Uint8Array(length)
      for (const rule of rules) {
        const values = columns.get(rule.name)
        if (values) markColumn(values, length, rule, invalid)
        else if (rule.required) invalid.fill(1)
      }
      if (plan.closed) {
        for (const [column, values] of columns) {
          if (!declared.has(column)) markPresent(values, length, invalid)
        }
      }
      const errors = new Map<number, RowError[]>()
      for (let i = 0; i < length; i++) {
        if (invalid[i] === 0) continue
        const verdict = reference(rowAt(batch, i))
        // Silently trusting either side would hide a bug in the column checks; fail the file instead.
        if (verdict.valid) {
          const context = { dataset: name, row: i }
          throw new FerryError('FERRY_INTERNAL', `dataset ${name}: row ${i} fails the column checks, passes ajv`, {
            context,
          })
        }
        errors.set(i, verdict.errors)
      }
      return { invalid, invalidCount: errors.size, errors }
    },
  }
}

/**
 * Compiles a row schema for column batches. Throws ConfigError when the schema itself is invalid,
 * exactly like `compileRowValidator`, whose `refs` it takes too. Never throws for a schema it cannot
 * compile to column checks: it returns an `ajv-fallback` validator whose `reason` names the first
 * keyword in the way.
 */
export function compileColumnarValidator(schema: JsonSchema, name: string, refs?: SchemaRefs): CompiledValidator {
  const reference = compileRowValidator(schema, name, refs)
  const planned = planSchema(schema, refs)
  if (!planned.ok) {
    return { mode: 'ajv-fallback', reason: planned.reason, validate: (batch) => validateRows(batch, reference) }
  }
  return columnarValidator(planned.plan, reference, name)
}
