/**
 * The `cast` step: a value converted to what an output column of the given type holds, or a thrown
 * error that rejects the row. Null stays null. Inputs are decoded values (see `derive`), so a
 * millisecond timestamp may be a `Date` and an INT64 a BigInt.
 */
import type { OutputColumnType } from './formats/columns.js'
import { daysFromIsoDate, epochFromIsoTimestamp, isoDateFromDays, utcDateOf } from './temporal.js'

const INT32_MIN = -(2 ** 31)
const INT32_MAX = 2 ** 31 - 1
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const MS_PER_DAY = 86_400_000
const INTEGER_TEXT = /^[+-]?\d+$/

function fail(value: unknown, to: OutputColumnType): never {
  const text = typeof value === 'bigint' ? `${value}` : JSON.stringify(value)
  throw new TypeError(`cannot cast ${typeof value} ${String(text).slice(0, 60)} to ${to}`)
}

function validDate(value: unknown): value is Date {
  return value instanceof Date && !Number.isNaN(value.getTime())
}

function toInt32(value: unknown): number {
  let number: number | undefined
  if (typeof value === 'number') number = value
  else if (typeof value === 'bigint') number = Number(value)
  else if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) number = Number(value.trim())
  if (number === undefined || !Number.isInteger(number) || number < INT32_MIN || number > INT32_MAX) {
    fail(value, 'int32')
  }
  return number
}

/** A safe integer stays a number; anything larger is a BigInt. */
function toInt64(value: unknown): number | bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value
  let big: bigint | undefined
  if (typeof value === 'bigint') big = value
  else if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) big = BigInt(value.trim())
  if (big === undefined || big < INT64_MIN || big > INT64_MAX) fail(value, 'int64')
  return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big
}

function toDouble(value: unknown): number {
  if (typeof value === 'number') return value
  if (typeof value === 'bigint') return Number(value)
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value)
    if (!Number.isNaN(number)) return number
  }
  return fail(value, 'double')
}

function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value
  if (value === 'true' || value === 'false') return value === 'true'
  return fail(value, 'boolean')
}

/** Text a timestamp column takes, checked now so a bad one rejects its row instead of failing the file. */
function toTimestamp(value: unknown): Date | string {
  if (validDate(value)) return value
  if (typeof value === 'string' && epochFromIsoTimestamp(value, 'us') !== undefined) return value
  if (typeof value === 'number' && Number.isFinite(value)) {
    // a number is epoch milliseconds, as JavaScript counts them
    const date = new Date(value)
    if (validDate(date)) return date
  }
  return fail(value, 'timestamp')
}

function toDate(value: unknown): string {
  if (validDate(value)) return isoDateFromDays(Math.floor(value.getTime() / MS_PER_DAY))
  if (typeof value === 'string') {
    if (daysFromIsoDate(value) !== undefined) return value
    // a date-time becomes its UTC calendar date
    const day = utcDateOf(value)
    if (day !== undefined) return day
  }
  return fail(value, 'date')
}

function toText(value: unknown): string {
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value)
  if (validDate(value)) return value.toISOString()
  return fail(value, 'string')
}

const CASTS: Record<OutputColumnType, (value: unknown) => unknown> = {
  string: toText,
  int32: toInt32,
  int64: toInt64,
  double: toDouble,
  boolean: toBoolean,
  timestamp: toTimestamp,
  date: toDate,
}

/** `value` as the `to` column holds it; throws TypeError when it has no such form. */
export function castValue(value: unknown, to: OutputColumnType): unknown {
  if (value === null || value === undefined) return null
  return CASTS[to](value)
}
