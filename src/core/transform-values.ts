/**
 * Helpers for derive functions (transform.ts), which see a millisecond timestamp as a `Date` in the
 * column engine and as its ISO-8601 text in a row: these accept both.
 */
import { epochFromIsoTimestamp, isoDateFromDays } from './temporal.js'

const MS_PER_DAY = 86_400_000
const MS_PER_DAY_BIG = 86_400_000n

/** Days since the epoch (UTC) of a `Date` or an RFC 3339 date-time, or undefined when it is neither. */
function epochDay(value: unknown): number | undefined {
  if (value instanceof Date) {
    const millis = value.getTime()
    return Number.isNaN(millis) ? undefined : Math.floor(millis / MS_PER_DAY)
  }
  if (typeof value !== 'string') return undefined
  const millis = epochFromIsoTimestamp(value, 'ms')
  if (millis === undefined) return undefined
  return Number(millis / MS_PER_DAY_BIG - (millis % MS_PER_DAY_BIG < 0n ? 1n : 0n))
}

let lastDay: number | undefined
let lastDayText = ''

/**
 * UTC calendar date (`YYYY-MM-DD`) of a timestamp, or undefined when it is not one. The text of the
 * last day is remembered: a file's rows mostly fall on one or two days.
 */
export function utcDate(value: unknown): string | undefined {
  const day = epochDay(value)
  if (day === undefined) return undefined
  if (day !== lastDay) {
    lastDay = day
    lastDayText = isoDateFromDays(day)
  }
  return lastDayText
}
