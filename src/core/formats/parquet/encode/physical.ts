/**
 * Output values to Parquet physical values, one column at a time. A value is accepted when it, or the
 * JSON text/number the row model gives it (see `Row`), fits the column: the engine hands over decoded
 * values (Dates for millisecond timestamps, BigInts for INT64) as well as rows built by transforms.
 */
import { FerryError } from '../../../../errors.js'
import { daysFromIsoDate, epochFromIsoTimestamp } from '../../../temporal.js'
import type { OutputColumn } from '../../columns.js'
import { canonicalMillis } from './iso-time.js'

export type PhysicalValues =
  | { kind: 'string'; values: string[] }
  | { kind: 'int32'; values: Int32Array }
  /** INT64 as exact doubles, the common case: no BigInt allocation per value */
  | { kind: 'int64'; values: Float64Array }
  | { kind: 'bigint64'; values: BigInt64Array }
  | { kind: 'double'; values: Float64Array }
  | { kind: 'boolean'; values: Uint8Array }

export interface PhysicalColumn {
  data: PhysicalValues
  /** values present (not null), i.e. the length of `data.values` */
  count: number
  /** 1 where the row has a value; undefined for a REQUIRED column */
  defined: Uint8Array | undefined
}

const INT32_MIN = -(2 ** 31)
const INT32_MAX = 2 ** 31 - 1
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)
const MS_PER_DAY = 86_400_000
/** What a converter returns for a value its column cannot hold. */
const MISFIT = Symbol('misfit')

function describe(value: unknown): string {
  const text = typeof value === 'bigint' ? `${value}n` : JSON.stringify(value)
  return `${typeof value} ${text === undefined ? String(value) : text.slice(0, 60)}`
}

function misfit(column: OutputColumn, row: number, value: unknown): FerryError {
  // The transform produced a value its own output columns do not allow: a dataset bug, not bad data.
  return new FerryError(
    'FERRY_INTERNAL',
    `output column ${column.name} (${column.type}) cannot hold row ${row}'s value: ${describe(value)}`,
    { context: { column: column.name, row } },
  )
}

function missing(column: OutputColumn, row: number): FerryError {
  return new FerryError('FERRY_INTERNAL', `output column ${column.name} is not nullable but row ${row} has no value`, {
    context: { column: column.name, row },
  })
}

function toText(value: unknown): string | typeof MISFIT {
  if (typeof value === 'string') return value
  // the row model's text for a timestamp and for an INT64 beyond 2^53
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString()
  if (typeof value === 'bigint' && (value > MAX_SAFE || value < -MAX_SAFE)) return value.toString()
  return MISFIT
}

function toInt32(value: unknown): number | typeof MISFIT {
  const number = typeof value === 'bigint' && value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value
  return typeof number === 'number' && Number.isInteger(number) && number >= INT32_MIN && number <= INT32_MAX
    ? number
    : MISFIT
}

function toDouble(value: unknown): number | typeof MISFIT {
  if (typeof value === 'number') return value
  if (typeof value === 'bigint' && value >= -MAX_SAFE && value <= MAX_SAFE) return Number(value)
  return MISFIT
}

/** INT64 as a bigint; decimal strings are how rows carry INT64 values beyond 2^53, so they round-trip. */
function toBigInt64(value: unknown): bigint | typeof MISFIT {
  let big: bigint | undefined
  if (typeof value === 'bigint') big = value
  else if (typeof value === 'number' && Number.isSafeInteger(value)) big = BigInt(value)
  else if (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) big = BigInt(value)
  return big !== undefined && big >= INT64_MIN && big <= INT64_MAX ? big : MISFIT
}

type Int64Converter = (value: unknown) => number | bigint | typeof MISFIT

/** A safe integer when the value is one, else the bigint (or MISFIT); the caller switches representation. */
function int64Converter(column: OutputColumn): Int64Converter {
  if (column.type === 'int64') {
    return (value) => {
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value
      const big = toBigInt64(value)
      return big !== MISFIT && big >= -MAX_SAFE && big <= MAX_SAFE ? Number(big) : big
    }
  }
  const micros = column.unit === 'us'
  return (value) => {
    if (value instanceof Date) {
      const millis = value.getTime()
      if (Number.isNaN(millis)) return MISFIT
      const scaled = micros ? millis * 1000 : millis
      return Number.isSafeInteger(scaled) ? scaled : BigInt(millis) * 1000n
    }
    if (typeof value !== 'string') return MISFIT
    const canonical = canonicalMillis(value)
    if (canonical !== undefined) return micros ? canonical * 1000 : canonical
    const epoch = epochFromIsoTimestamp(value, micros ? 'us' : 'ms')
    if (epoch === undefined) return MISFIT
    return epoch >= -MAX_SAFE && epoch <= MAX_SAFE ? Number(epoch) : epoch
  }
}

/** Dates repeat a lot within a file, so the last text parsed is remembered. */
function dateConverter(): (value: unknown) => number | typeof MISFIT {
  let lastText: string | undefined
  let lastDays: number | undefined
  return (value) => {
    if (typeof value === 'string') {
      if (value !== lastText) {
        lastText = value
        lastDays = daysFromIsoDate(value)
      }
      return lastDays ?? MISFIT
    }
    if (value instanceof Date && !Number.isNaN(value.getTime())) return Math.floor(value.getTime() / MS_PER_DAY)
    return MISFIT
  }
}

/** `source[rows[j]]` (or `source[j]`) for j below `length`; a plain loop, much faster than Array.from. */
function gather(source: ArrayLike<unknown>, rows: Int32Array | undefined, length: number): string[] {
  const out = new Array<string>(length)
  for (let j = 0; j < length; j++) out[j] = source[rows ? rows[j]! : j] as string
  return out
}

/** Per-type loops rather than one loop with a converter callback: this runs for every output value. */
function nothing(column: OutputColumn, row: number, defined: Uint8Array | undefined): void {
  if (!defined) throw missing(column, row)
}

function strings(
  column: OutputColumn,
  source: ArrayLike<unknown>,
  rows: Int32Array | undefined,
  length: number,
  firstRow: number,
  defined?: Uint8Array,
) {
  // the source itself serves as the values while it holds nothing but strings
  let values: string[] | undefined
  for (let i = 0; i < length; i++) {
    const value = source[rows ? rows[i]! : i]
    if (typeof value === 'string') {
      values?.push(value)
      if (defined) defined[i] = 1
      continue
    }
    values ??= gather(source, rows, i)
    if (value === null || value === undefined) {
      nothing(column, firstRow + i, defined)
      continue
    }
    const text = toText(value)
    if (text === MISFIT) throw misfit(column, firstRow + i, value)
    values.push(text)
    if (defined) defined[i] = 1
  }
  values ??= !rows && Array.isArray(source) && source.length === length ? source : gather(source, rows, length)
  return { data: { kind: 'string' as const, values }, count: values.length, defined }
}

function int32s(
  column: OutputColumn,
  source: ArrayLike<unknown>,
  rows: Int32Array | undefined,
  length: number,
  firstRow: number,
  defined?: Uint8Array,
) {
  const values = new Int32Array(length)
  const convert = column.type === 'date' ? dateConverter() : toInt32
  let count = 0
  for (let i = 0; i < length; i++) {
    const value = source[rows ? rows[i]! : i]
    if (value === null || value === undefined) {
      nothing(column, firstRow + i, defined)
      continue
    }
    const converted =
      column.type === 'int32' && typeof value === 'number' && (value | 0) === value ? value : convert(value)
    if (converted === MISFIT) throw misfit(column, firstRow + i, value)
    values[count++] = converted
    if (defined) defined[i] = 1
  }
  return { data: { kind: 'int32' as const, values: values.subarray(0, count) }, count, defined }
}

function doubles(
  column: OutputColumn,
  source: ArrayLike<unknown>,
  rows: Int32Array | undefined,
  length: number,
  firstRow: number,
  defined?: Uint8Array,
) {
  const values = new Float64Array(length)
  let count = 0
  for (let i = 0; i < length; i++) {
    const value = source[rows ? rows[i]! : i]
    if (value === null || value === undefined) {
      nothing(column, firstRow + i, defined)
      continue
    }
    const converted = typeof value === 'number' ? value : toDouble(value)
    if (converted === MISFIT) throw misfit(column, firstRow + i, value)
    values[count++] = converted
    if (defined) defined[i] = 1
  }
  return { data: { kind: 'double' as const, values: values.subarray(0, count) }, count, defined }
}

function booleans(
  column: OutputColumn,
  source: ArrayLike<unknown>,
  rows: Int32Array | undefined,
  length: number,
  firstRow: number,
  defined?: Uint8Array,
) {
  const values = new Uint8Array(length)
  let count = 0
  for (let i = 0; i < length; i++) {
    const value = source[rows ? rows[i]! : i]
    if (value === null || value === undefined) {
      nothing(column, firstRow + i, defined)
      continue
    }
    if (typeof value !== 'boolean') throw misfit(column, firstRow + i, value)
    values[count++] = value ? 1 : 0
    if (defined) defined[i] = 1
  }
  return { data: { kind: 'boolean' as const, values: values.subarray(0, count) }, count, defined }
}

function int64s(
  column: OutputColumn,
  source: ArrayLike<unknown>,
  rows: Int32Array | undefined,
  length: number,
  firstRow: number,
  defined?: Uint8Array,
) {
  const convert = int64Converter(column)
  const values = new Float64Array(length)
  let count = 0
  let unsafe = false
  for (let i = 0; i < length; i++) {
    const value = source[rows ? rows[i]! : i]
    if (value === null || value === undefined) {
      nothing(column, firstRow + i, defined)
      continue
    }
    const converted = convert(value)
    if (converted === MISFIT) throw misfit(column, firstRow + i, value)
    if (typeof converted === 'bigint') unsafe = true
    else values[count] = converted
    count++
    if (defined) defined[i] = 1
  }
  if (!unsafe) return { data: { kind: 'int64' as const, values: values.subarray(0, count) }, count, defined }
  // rare: a value beyond 2^53 somewhere, so the whole chunk goes through BigInt
  const bigints = new BigInt64Array(count)
  let index = 0
  for (let i = 0; i < length; i++) {
    const value = source[rows ? rows[i]! : i]
    if (value === null || value === undefined) continue
    const converted = convert(value) as number | bigint
    bigints[index++] = typeof converted === 'bigint' ? converted : BigInt(converted)
  }
  return { data: { kind: 'bigint64' as const, values: bigints }, count, defined }
}

/**
 * Converts `length` values of one output column: `source[rows[i]]` for each i, or the first `length`
 * when `rows` is undefined. Strings must be strings (or a timestamp
 * or big INT64, written as the row model's text), int32 takes integers in range, int64 safe integers,
 * BigInts or decimal strings, timestamps RFC 3339 strings or Dates, dates `YYYY-MM-DD` strings or
 * Dates. `firstRow` numbers rows in errors.
 */
export function toPhysical(
  column: OutputColumn,
  source: ArrayLike<unknown>,
  rows: Int32Array | undefined,
  length: number,
  firstRow: number,
): PhysicalColumn {
  const defined = (column.nullable ?? true) ? new Uint8Array(length) : undefined
  switch (column.type) {
    case 'string':
      return strings(column, source, rows, length, firstRow, defined)
    case 'int32':
    case 'date':
      return int32s(column, source, rows, length, firstRow, defined)
    case 'int64':
    case 'timestamp':
      return int64s(column, source, rows, length, firstRow, defined)
    case 'double':
      return doubles(column, source, rows, length, firstRow, defined)
    case 'boolean':
      return booleans(column, source, rows, length, firstRow, defined)
  }
}
