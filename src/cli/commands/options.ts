import { UsageError } from '../../errors.js'

/**
 * A calendar date option (`--date 2026-11-23`), checked to be a real day: `2026-13-45` is refused
 * rather than matching nothing. Undefined when the option is not given.
 */
export function parseDateOption(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined
  const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  const parsed = day ? new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]))) : undefined
  if (!parsed || parsed.toISOString().slice(0, 10) !== value) {
    throw new UsageError(`--${name} must be a date YYYY-MM-DD, got ${JSON.stringify(value)}`)
  }
  return value
}
