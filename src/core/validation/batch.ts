import type { Row } from '../dataset.js'
import type { RowError } from '../validate.js'

/**
 * One decoded column: strings, numbers, bigints, booleans, Dates, byte arrays, nested values, with
 * null or undefined where a row has no value. Typed arrays (Float64Array, BigInt64Array...) qualify.
 */
export type ColumnValues = ArrayLike<unknown>

/** Rows as columns. A column name that is absent means the property is missing in every row. */
export interface ColumnBatch {
  length: number
  columns: Record<string, ColumnValues>
}

export interface BatchVerdict {
  /** invalid[i] === 1 when row i fails */
  invalid: Uint8Array
  invalidCount: number
  /** ajv's errors (allErrors, ajv-formats) for each failing row, keyed by row index in the batch */
  errors: Map<number, RowError[]>
}

export interface CompiledValidator {
  mode: 'columnar' | 'ajv-fallback'
  /** why the schema could not be compiled to column checks; set only in `ajv-fallback` mode */
  reason?: string
  validate(batch: ColumnBatch): BatchVerdict
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/** Whether a BigInt survives as a JSON number; beyond that the row holds its decimal string instead. */
export function isSafeBigInt(value: bigint): boolean {
  return value >= -MAX_SAFE && value <= MAX_SAFE
}

/**
 * The text a Date stands for in a row: `toISOString()`. An invalid Date has no such text; it becomes
 * `String(date)` ("Invalid Date") rather than null, so a timestamp that could not be read is rejected
 * visibly by `format` instead of vanishing from an optional column the way `JSON.stringify` would.
 */
export function dateText(date: Date): string {
  return Number.isNaN(date.getTime()) ? String(date) : date.toISOString()
}

/** Raw bytes travel as base64, as in the Parquet reader. */
export function bytesText(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

/**
 * One decoded value in the JSON shape ajv validates: the Parquet reader's `jsonValue` rules (BigInt to
 * a number when safe and to its decimal string otherwise, bytes to base64, lists and structs
 * converted inside, null kept inside them), plus `dateText` for Dates, which `jsonValue` does not handle
 * because the reader hands it timestamps as strings. NaN and ±Infinity stay numbers, as they do in
 * the reader's rows; ajv (strictNumbers) then rejects them as "must be number".
 */
export function jsonCell(value: unknown): unknown {
  if (typeof value === 'bigint') return isSafeBigInt(value) ? Number(value) : value.toString()
  if (value === undefined || value === null) return null
  if (typeof value !== 'object') return value
  if (value instanceof Date) return dateText(value)
  if (value instanceof Uint8Array) return bytesText(value)
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return Array.from(value as ArrayLike<unknown>, jsonCell)
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) out[key] = jsonCell(inner)
  return out
}

/**
 * Row `index` as the object the reference validator sees: one property per column holding a value,
 * nulls and undefined left out (a null and a missing property mean the same thing, see `Row`). The
 * properties are assigned in the batch's column order, as the reader does, because ajv reports
 * `additionalProperties` errors in the row's key order.
 */
export function rowAt(batch: ColumnBatch, index: number): Row {
  const row: Row = {}
  for (const [name, values] of Object.entries(batch.columns)) {
    const value = values[index]
    if (value !== null && value !== undefined) row[name] = jsonCell(value)
  }
  return row
}

/**
 * A column name that is also an Object.prototype member (`__proto__`, `constructor`, `toString`...).
 * Assigning it to a row can change the row's prototype, and ajv's `required` looks names up through
 * the prototype chain, so only ajv itself can say what such a row means.
 */
export function shadowsPrototype(name: string): boolean {
  return name in Object.prototype
}
