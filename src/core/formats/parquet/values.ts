import type { ParquetParsers } from 'hyparquet'
import { isoDateFromDays, isoTimestamp } from '../../temporal.js'

/**
 * hyparquet hands timestamps and dates to these instead of building `Date`s, so they arrive as the
 * strings JSON Schema's `date-time` and `date` formats check, at the file's full precision.
 */
export const PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: (millis) => isoTimestamp(millis, 'ms'),
  timestampFromMicroseconds: (micros) => isoTimestamp(micros, 'us'),
  timestampFromNanoseconds: (nanos) => isoTimestamp(nanos, 'ns'),
  dateFromDays: (days) => isoDateFromDays(days),
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/**
 * Turns what hyparquet decodes into JSON values: an INT64 becomes a number when it is a safe integer
 * and its decimal string otherwise (a string never silently loses digits, and a schema expecting an
 * integer rejects it visibly); raw bytes become base64; nested lists and structs are converted inside.
 */
export function jsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : value.toString()
  if (value === undefined || value === null) return null
  if (typeof value !== 'object') return value
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64')
  if (Array.isArray(value) || ArrayBuffer.isView(value)) return Array.from(value as ArrayLike<unknown>, jsonValue)
  const out: Record<string, unknown> = {}
  for (const [key, inner] of Object.entries(value)) out[key] = jsonValue(inner)
  return out
}
