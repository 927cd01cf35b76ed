/**
 * The proof that the columnar validator and ajv agree: seeded random and adversarial column batches
 * for several schemas, in each JSON Schema draft, each row checked against the reference path
 * (normalise the row as the Parquet reader does, then run the ajv row validator). Verdicts must be
 * identical for every row, and a failing row must carry ajv's errors exactly.
 */
import { isDeepStrictEqual } from 'node:util'
import { describe, expect, it } from 'vitest'
import type { Row } from '../../../../src/core/dataset.js'
import { jsonValue } from '../../../../src/core/formats/parquet/values.js'
import { compileRowValidator, type RowError } from '../../../../src/core/validate.js'
import { type ColumnBatch, compileColumnarValidator } from '../../../../src/core/validation/columnar.js'
import { declaredDraft } from '../../../../src/core/validation/drafts.js'
import { CASES, type ColumnSpec, type DifferentialCase } from './support/cases.js'
import { Gen, WRONG_TYPES } from './support/values.js'

/**
 * Columns a row may hold beyond the schema's. The prototype-named ones are rare: a batch holding one
 * is validated row by row, and most batches should exercise the column checks.
 */
const EXTRA_COLUMNS = ['extra', 'ORDER_ID']
const PROTOTYPE_COLUMNS = ['toString', '__proto__']

/**
 * Expected number of noisy cells per row. About half the rows come out clean, and most of the rest
 * hold a single defect, so a check that wrongly accepts a value is not hidden by another defect in
 * the same row.
 */
const NOISE_PER_ROW = 0.8

function noisyValue(g: Gen, spec: ColumnSpec): unknown {
  const kind = g.int(0, 9)
  if (kind === 0) return g.pick(WRONG_TYPES)
  if (kind === 1) return g.chance(0.5) ? null : undefined
  return spec.noisy(g)
}

function column(g: Gen, spec: ColumnSpec, length: number, required: boolean, noise: number): ArrayLike<unknown> {
  if (spec.typed && g.chance(0.3)) {
    const { array, value } = spec.typed
    const values = Array.from({ length }, () => value(g))
    return array === 'float64' ? Float64Array.from(values as number[]) : BigInt64Array.from(values as bigint[])
  }
  const nulls = required ? 0 : (spec.nulls ?? 0.05)
  return Array.from({ length }, () => {
    if (g.chance(noise)) return noisyValue(g, spec)
    if (g.chance(nulls)) return g.chance(0.5) ? null : undefined
    return spec.valid(g)
  })
}

function sparseColumn(g: Gen, length: number): unknown[] {
  return Array.from({ length }, () => (g.chance(0.01) ? g.pick(WRONG_TYPES) : g.pick([null, undefined])))
}

function batchOf(g: Gen, testCase: DifferentialCase, length: number): ColumnBatch {
  const columns: [string, ArrayLike<unknown>][] = []
  const required = new Set(testCase.schema.required as string[] | undefined)
  const specs = Object.entries(testCase.columns)
  for (const [name, spec] of specs) {
    // now and then a column is missing from the whole batch
    if (g.chance(0.02)) continue
    columns.push([name, column(g, spec, length, required.has(name), NOISE_PER_ROW / specs.length)])
  }
  if (g.chance(0.3)) columns.push([g.pick(EXTRA_COLUMNS), sparseColumn(g, length)])
  if (g.chance(0.1)) columns.push([g.pick(PROTOTYPE_COLUMNS), sparseColumn(g, length)])
  // fromEntries creates own properties even for `__proto__`, as a reader building a batch would
  return { length, columns: Object.fromEntries(columns) }
}

/**
 * The row the engine validates today: the reader's own `jsonValue` for BigInts, bytes and nested values,
 * nulls left out. Dates never reach `jsonValue` (the reader decodes timestamps to strings), so they
 * get the rule the columnar validator documents: their ISO text, or "Invalid Date".
 */
function referenceRow(batch: ColumnBatch, index: number): Row {
  const row: Row = {}
  for (const [name, values] of Object.entries(batch.columns)) {
    const value = values[index]
    if (value === null || value === undefined) continue
    if (value instanceof Date) row[name] = Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString()
    else row[name] = typeof value === 'object' || typeof value === 'bigint' ? jsonValue(value) : value
  }
  return row
}

interface Mismatch {
  row: Row
  columnar: RowError[] | 'valid'
  ajv: RowError[] | 'valid'
}

interface Outcome {
  rows: number
  invalid: number
  keywords: Set<string>
  mismatches: Mismatch[]
}

function run(testCase: DifferentialCase, seed: number): Outcome {
  const g = new Gen(seed)
  const validator = compileColumnarValidator(testCase.schema, testCase.name, testCase.refs)
  expect(validator.mode).toBe(testCase.mode)
  if (testCase.reason) expect(validator.reason).toContain(testCase.reason)
  const reference = compileRowValidator(testCase.schema, testCase.name, testCase.refs)
  const outcome: Outcome = { rows: 0, invalid: 0, keywords: new Set(), mismatches: [] }
  while (outcome.rows < testCase.rows) {
    const length = Math.min(testCase.rows - outcome.rows, g.chance(0.1) ? g.int(0, 3) : g.int(1, 4000))
    const batch = batchOf(g, testCase, length)
    const verdict = validator.validate(batch)
    expect(verdict.invalid.length).toBe(length)
    expect(verdict.invalidCount).toBe(verdict.errors.size)
    for (let i = 0; i < length; i++) {
      const row = referenceRow(batch, i)
      const expected = reference(row)
      const errors = verdict.errors.get(i)
      const columnar = verdict.invalid[i] === 1 ? (errors ?? []) : 'valid'
      const ajv = expected.valid ? 'valid' : expected.errors
      if (!expected.valid) {
        outcome.invalid++
        for (const error of expected.errors) outcome.keywords.add(error.keyword)
      }
      if ((verdict.invalid[i] === 1) !== (errors !== undefined) || !isDeepStrictEqual(columnar, ajv)) {
        if (outcome.mismatches.length < 20) outcome.mismatches.push({ row, columnar, ajv })
      }
    }
    outcome.rows += length
  }
  return outcome
}

describe('columnar validation gives ajv’s verdicts', () => {
  for (const [index, testCase] of CASES.entries()) {
    it(`${testCase.name}: ${testCase.rows} rows`, () => {
      const outcome = run(testCase, 1000 + index)
      expect(outcome.mismatches).toEqual([])
      expect(outcome.rows).toBe(testCase.rows)
      // not vacuous: plenty of rows on both sides, and every targeted defect provoked
      expect(outcome.invalid).toBeGreaterThan(testCase.rows * 0.05)
      expect(outcome.invalid).toBeLessThan(testCase.rows * 0.95)
      expect([...outcome.keywords]).toEqual(expect.arrayContaining(testCase.keywords))
    })
  }

  it('covers every schema in every draft, with many thousands of rows in all', () => {
    const total = CASES.reduce((sum, testCase) => sum + testCase.rows, 0)
    expect(total).toBeGreaterThan(300_000)
    const columnar = CASES.filter((testCase) => testCase.mode === 'columnar')
    for (const draft of ['draft-07', '2019-09', '2020-12']) {
      expect(columnar.filter((testCase) => declaredDraft(testCase.schema) === draft).length).toBeGreaterThanOrEqual(7)
    }
    expect(columnar.filter((testCase) => testCase.refs).length).toBeGreaterThanOrEqual(2)
  })
})
