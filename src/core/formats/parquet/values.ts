import type { ParquetParsers } from 'hyparquet'
import { UnsupportedError } from '../../../errors.js'
import { isoDateFromDays, isoTimestamp } from '../../temporal.js'

/** The largest epoch milliseconds a `Date` holds (±8.64e15, about 275,000 years either way). */
const DATE_LIMIT_MS = 8_640_000_000_000_000n

/**
 * hyparquet 1.31 joins an INT96's words as `high << 64 | low` with a *signed* low word. A
 * nanoseconds-of-day word >= 2^63 (Spark writes those on int64 overflow) then wipes out the day, and
 * every such value lands in this one band around the year -4400. The day is gone, so the only honest
 * answer is to refuse the file rather than return a wrong date.
 */
const INT96_LOST_DAY = -2_440_589n * 86_400_000_000_000n
const INT96_LOST_DAY_END = INT96_LOST_DAY + (1n << 64n)
const INT96_LOST_DAY_START = INT96_LOST_DAY + (1n << 63n)

/**
 * hyparquet hands timestamps and dates to these. Dates arrive as the `YYYY-MM-DD` strings JSON
 * Schema's `date` format checks; micro- and nanosecond timestamps as ISO-8601 text at the file's full
 * precision. Millisecond timestamps, the common case, stay `Date`s: their row-model text is exactly
 * `toISOString()`, which the validators and writers derive only when they need it, so the engine
 * neither formats nor re-parses text for every row. Beyond a `Date`'s range they are text as well.
 */
export const PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (millis) =>
    millis >= -DATE_LIMIT_MS && millis <= DATE_LIMIT_MS ? new Date(Number(millis)) : isoTimestamp(millis, 'ms'),
  timestampFromMicroseconds: (micros) => isoTimestamp(micros, 'us'),
  timestampFromNanoseconds: (nanos) => {
    if (nanos >= INT96_LOST_DAY_START && nanos < INT96_LOST_DAY_END) {
      throw new UnsupportedError(
        'parquet-int96-overflow',
        'INT96 timestamp with a nanoseconds-of-day word beyond 2^63 (Spark int64 overflow): its date cannot be decoded',
      )
    }
    return isoTimestamp(nanos, 'ns')
  },
  dateFromDays: (days) => isoDateFromDays(days),
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/**
 * Turns what hyparquet decodes into JSON values: an INT64 becomes a number when it is a safe integer
 * and its decimal string otherwise (a string never silently loses digits, and a schema expecting an
 * integer rejects it visibly); a millisecond timestamp its ISO-8601 text; raw bytes become base64;
 * nested lists and structs are converted inside.
 */
export function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value.toString()
  if (value === undefined || value === null) return null
  if (typeof value !== 'object') return value
  if (value instanceof Date) return value.toISOString()
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return Array.from(value as ArrayLike<unknown>, jsonValue)
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) out[key] = jsonValue(inner)
  return out
}
