/**
 * `ferry serve --schedule`: a 5-field cron expression in an IANA time zone, read by croner (a
 * maintained library with time-zone and DST rules, replacing a hand-written parser that mishandled
 * Feb 29, yearly schedules and DST). Across DST changes each scheduled wall time runs once: on the
 * fall-back night a 01:30 schedule runs at the first 01:30, not twice; in the spring-forward gap a
 * 02:30 schedule runs at the first minute after the gap (03:00), not never.
 */
import { Cron } from 'croner'
import { UsageError } from '../errors.js'

export interface CronSchedule {
  expression: string
  timeZone: string
  cron: Cron
}

/** setTimeout fires at once for a longer delay (about 24.8 days): longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1

function checkTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone })
  } catch {
    throw new UsageError(`unknown time zone ${JSON.stringify(timeZone)} (an IANA name such as UTC or Europe/Berlin)`)
  }
}

/** Throws UsageError for a malformed expression, an unknown time zone, or a schedule that never runs. */
export function parseCron(expression: string, timeZone = 'UTC'): CronSchedule {
  checkTimeZone(timeZone)
  const fields = expression.trim().split(/\s+/)
  if (fields.length !== 5) {
    throw new UsageError(
      `a cron expression has 5 fields (minute hour day-of-month month day-of-week), got ${JSON.stringify(expression)}`,
    )
  }
  let cron: Cron
  try {
    cron = new Cron(fields.join(' '), { timezone: timeZone, paused: true })
  } catch (err) {
    throw new UsageError(
      `bad cron expression ${JSON.stringify(expression)}: ${(err as Error).message.replace(/^CronPattern: /, '')}`,
    )
  }
  if (!cron.nextRun()) throw new UsageError(`cron expression ${JSON.stringify(expression)} never runs`)
  return { expression, timeZone, cron }
}

/** The first run strictly after `after`. */
export function nextRun(schedule: CronSchedule, after: Date): Date {
  const next = schedule.cron.nextRun(after)
  if (!next)
    throw new UsageError(
      `cron expression ${JSON.stringify(schedule.expression)} never runs after ${after.toISOString()}`,
    )
  return next
}

/** Calls `fire` at `at`, however far away: a wait longer than a timer can hold is re-armed. */
export function timerAt(at: Date, fire: () => void, now: () => number = Date.now): { cancel(): void } {
  let timer: NodeJS.Timeout | undefined
  const arm = () => {
    const wait = at.getTime() - now()
    timer = wait > MAX_TIMER_MS ? setTimeout(arm, MAX_TIMER_MS) : setTimeout(fire, Math.max(0, wait))
  }
  arm()
  return { cancel: () => clearTimeout(timer) }
}
