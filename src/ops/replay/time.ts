import { UsageError } from '../../errors.js'

const UNIT_MS = { W: 604_800_000, D: 86_400_000, H: 3_600_000, M: 60_000, S: 1000 } as const
const NUMBER = '(\\d+(?:[.,]\\d+)?)'
const DURATION = new RegExp(`^P(?:${NUMBER}W)?(?:${NUMBER}D)?(?:T(?:${NUMBER}H)?(?:${NUMBER}M)?(?:${NUMBER}S)?)?$`, 'i')

/**
 * An ISO-8601 duration (PT2H, P1D, PT30M, P1DT12H, PT1.5S, P2W) in milliseconds. Years and months
 * are refused: their length depends on the calendar, and a replay window must mean one thing.
 */
export function parseDuration(text: string): number {
  const match = DURATION.exec(text.trim())
  if (!match || /^PT?$/i.test(text.trim()) || /T$/i.test(text.trim())) {
    const hint = /^P[^T]*[YM]/i.test(text.trim())
      ? ' (years and months have no fixed length: use days, e.g. P30D)'
      : ' (e.g. PT2H, PT30M, P1D, P1DT12H)'
    throw new UsageError(`not an ISO-8601 duration: ${JSON.stringify(text)}${hint}`)
  }
  const [, weeks, days, hours, minutes, seconds] = match
  const parts: Array<[string | undefined, number]> = [
    [weeks, UNIT_MS.W],
    [days, UNIT_MS.D],
    [hours, UNIT_MS.H],
    [minutes, UNIT_MS.M],
    [seconds, UNIT_MS.S],
  ]
  return Math.round(parts.reduce((ms, [value, unit]) => ms + (value ? Number(value.replace(',', '.')) * unit : 0), 0))
}

/**
 * An instant: a date (`2026-11-23`, midnight UTC) or a date-time with its zone (`...T10:00:00Z`,
 * `...+01:00`). A date-time without a zone is refused rather than read in this machine's zone.
 */
export function parseInstant(text: string): Date {
  const trimmed = text.trim()
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(trimmed)
  const zoned = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i.test(trimmed)
  const time = new Date(dateOnly ? `${trimmed}T00:00:00Z` : trimmed)
  if (!(dateOnly || zoned) || Number.isNaN(time.getTime())) {
    throw new UsageError(
      `not a date or a date-time with a zone: ${JSON.stringify(text)} (e.g. 2026-11-23 or 2026-11-23T22:00:00Z)`,
    )
  }
  return time
}

/** `--since`: an instant, or a duration back from now (PT2H = the last two hours). */
export function parseSince(text: string, now: Date): Date {
  return /^P/i.test(text.trim()) ? new Date(now.getTime() - parseDuration(text)) : parseInstant(text)
}
