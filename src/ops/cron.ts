import { UsageError } from '../errors.js'

/** A parsed 5-field cron expression: minute hour day-of-month month day-of-week. */
export interface CronSchedule {
  expression: string
  timeZone: string
  minutes: Set<number>
  hours: Set<number>
  days: Set<number>
  months: Set<number>
  weekdays: Set<number>
  /** cron's rule: when both day fields are restricted, a day matches if either does */
  dayOr: boolean
}

const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12 },
  { name: 'day of week', min: 0, max: 7 },
] as const

export function parseCron(expression: string, timeZone = 'UTC'): CronSchedule {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone })
  } catch {
    throw new UsageError(`unknown time zone ${JSON.stringify(timeZone)}`)
  }
  const parts = expression.trim().split(/\s+/)
  if (parts.length !== 5) throw new UsageError(`cron expression needs 5 fields, got ${JSON.stringify(expression)}`)
  const [minutes, hours, days, months, weekdays] = parts.map((part, i) =>
    parseField(part, FIELDS[i] as (typeof FIELDS)[number]),
  )
  // 7 is Sunday too.
  if (weekdays?.delete(7)) weekdays.add(0)
  return {
    expression,
    timeZone,
    minutes: minutes as Set<number>,
    hours: hours as Set<number>,
    days: days as Set<number>,
    months: months as Set<number>,
    weekdays: weekdays as Set<number>,
    dayOr: parts[2] !== '*' && parts[4] !== '*',
  }
}

function parseField(text: string, field: (typeof FIELDS)[number]): Set<number> {
  const out = new Set<number>()
  for (const item of text.split(',')) {
    const match = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/.exec(item)
    if (!match) throw new UsageError(`bad cron ${field.name} field ${JSON.stringify(text)}`)
    const star = match[1] === '*'
    const from = star ? field.min : Number(match[2])
    const to = star ? field.max : match[3] !== undefined ? Number(match[3]) : match[4] ? field.max : from
    const step = match[4] ? Number(match[4]) : 1
    if (from < field.min || to > field.max || from > to || step < 1) {
      throw new UsageError(`cron ${field.name} ${JSON.stringify(item)} is out of range ${field.min}-${field.max}`)
    }
    for (let v = from; v <= to; v += step) out.add(v)
  }
  return out
}

/** The first minute strictly after `after` that matches the schedule, in its time zone. */
export function nextRun(schedule: CronSchedule, after: Date): Date {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: schedule.timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    weekday: 'short',
  })
  const start = Math.floor(after.getTime() / 60_000) * 60_000 + 60_000
  // A year of minutes bounds the search; every valid expression matches well within it.
  for (let t = start, n = 0; n < 366 * 24 * 60; t += 60_000, n++) {
    const p = Object.fromEntries(format.formatToParts(new Date(t)).map((x) => [x.type, x.value]))
    if (!schedule.minutes.has(Number(p.minute)) || !schedule.hours.has(Number(p.hour))) continue
    if (!schedule.months.has(Number(p.month))) continue
    const dom = schedule.days.has(Number(p.day))
    const dow = schedule.weekdays.has(WEEKDAYS.indexOf(p.weekday ?? ''))
    if (schedule.dayOr ? dom || dow : dom && dow) return new Date(t)
  }
  throw new UsageError(`cron expression ${JSON.stringify(schedule.expression)} never matches`)
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
