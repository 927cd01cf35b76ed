import type { ParquetParsers } from 'hyparquet'
import { isoDateFromDays, isoTimestamp } from '../../temporal.js'

/** The largest epoch milliseconds a `Date` holds (±8.64e15, about 275,000 years either way). */
const DATE_LIMIT_MS = 8_640_000_000_000_000n

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
  timestampFromNanoseconds: (nanos) => isoTimestamp(nanos, 'ns'),
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
