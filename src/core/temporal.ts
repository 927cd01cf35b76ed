/**
 * Calendar arithmetic between epoch counts and ISO-8601 text, done by hand rather than with `Date`
 * because `Date` keeps only milliseconds and stops at year 275760: Parquet holds microseconds,
 * nanoseconds (INT96) and dates far outside that range, and Ferry must neither truncate them silently
 * nor crash on them. Out-of-range years are written in the ISO-8601 expanded form (`+290000-...`), which
 * the `date-time` format rejects, so such a value becomes a rejected row instead of a failed file.
 */

export type TimeUnit = 'ms' | 'us' | 'ns'

const UNITS_PER_SECOND: Record<TimeUnit, number> = { ms: 1e3, us: 1e6, ns: 1e9 }
const FRACTION_DIGITS: Record<TimeUnit, number> = { ms: 3, us: 6, ns: 9 }
const SECONDS_PER_DAY = 86_400
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

/** Days since 1970-01-01 to a proleptic Gregorian [year, month, day] (H. Hinnant's civil_from_days). */
function civilFromDays(epochDays: number): [number, number, number] {
  const z = epochDays + 719_468
  const era = Math.floor(z / 146_097)
  const doe = z - era * 146_097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return [yoe + era * 400 + (month <= 2 ? 1 : 0), month, day]
}

/** Proleptic Gregorian date to days since 1970-01-01 (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146_097 + doe - 719_468
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0')
}

function formatYear(year: number): string {
  if (year >= 0 && year <= 9999) return pad(year, 4)
  return (year < 0 ? '-' : '+') + pad(Math.abs(year), 6)
}

/** `YYYY-MM-DD` for a count of days since the epoch (Parquet DATE). */
export function isoDateFromDays(epochDays: number): string {
  const [year, month, day] = civilFromDays(epochDays)
  return `${formatYear(year)}-${pad(month, 2)}-${pad(day, 2)}`
}

/** Splits an epoch count into whole days and the non-negative remainder within the day. */
function splitDays(value: bigint, unitsPerDay: number): [number, number] {
  if (value >= -MAX_SAFE && value <= MAX_SAFE) {
    const n = Number(value)
    const days = Math.floor(n / unitsPerDay)
    return [days, n - days * unitsPerDay]
  }
  const perDay = BigInt(unitsPerDay)
  let days = value / perDay
  let rest = value % perDay
  if (rest < 0n) {
    rest += perDay
    days -= 1n
  }
  return [Number(days), Number(rest)]
}

/**
 * UTC ISO-8601 text for an epoch count in the given unit, with exactly as many fraction digits as the
 * unit carries (3, 6 or 9), so the text converts back to the same count.
 */
export function isoTimestamp(value: bigint, unit: TimeUnit): string {
  const perSecond = UNITS_PER_SECOND[unit]
  const [days, rest] = splitDays(value, perSecond * SECONDS_PER_DAY)
  const seconds = Math.floor(rest / perSecond)
  const fraction = rest - seconds * perSecond
  const hh = pad(Math.floor(seconds / 3600), 2)
  const mm = pad(Math.floor(seconds / 60) % 60, 2)
  const ss = pad(seconds % 60, 2)
  return `${isoDateFromDays(days)}T${hh}:${mm}:${ss}.${pad(fraction, FRACTION_DIGITS[unit])}Z`
}

const DATE_RE = /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})$/
/**
 * RFC 3339 date-time, as loose as ajv-formats' `date-time` so that anything the schema accepts parses
 * here too: any whitespace or T as separator, any number of fraction digits, `+HH`, `+HHMM` or
 * `+HH:MM` offsets. Years may also use the expanded form this module writes.
 */
const TIMESTAMP_RE =
  /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})[Tt\s](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2})(?::?(\d{2}))?)$/

function daysInMonth(year: number, month: number): number {
  return daysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - daysFromCivil(year, month, 1)
}

function parseCalendarDate(yearText: string, monthText: string, dayText: string): number | undefined {
  const year = Number(yearText)
  const month = Number(monthText)
  const day = Number(dayText)
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined
  return daysFromCivil(year, month, day)
}

/** Days since the epoch for `YYYY-MM-DD`, or undefined when the text is not a real calendar date. */
export function daysFromIsoDate(text: string): number | undefined {
  const match = DATE_RE.exec(text)
  return match ? parseCalendarDate(match[1]!, match[2]!, match[3]!) : undefined
}

/**
 * Epoch count in `unit` for an RFC 3339 date-time (`Z` or a numeric offset). Fraction digits finer than
 * the unit are truncated, as Spark and Arrow do when narrowing a timestamp. Undefined when the text is
 * not a valid date-time.
 */
export function epochFromIsoTimestamp(text: string, unit: TimeUnit): bigint | undefined {
  const m = TIMESTAMP_RE.exec(text)
  if (!m) return undefined
  const days = parseCalendarDate(m[1]!, m[2]!, m[3]!)
  const hours = Number(m[4])
  const minutes = Number(m[5])
  const seconds = Number(m[6])
  // second 60 is a leap second; like POSIX time it lands on the first second of the next minute
  if (days === undefined || hours > 23 || minutes > 59 || seconds > 60) return undefined
  let offsetMinutes = 0
  if (!m[8]) {
    const offsetHours = Number(m[10])
    const offsetMins = Number(m[11] ?? 0)
    if (offsetHours > 23 || offsetMins > 59) return undefined
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins)
  }
  const digits = FRACTION_DIGITS[unit]
  const fraction = (m[7] ?? '').padEnd(digits, '0').slice(0, digits)
  const perSecond = UNITS_PER_SECOND[unit]
  const secondsOfEpoch = days * 86_400 + hours * 3600 + minutes * 60 + seconds - offsetMinutes * 60
  // plain numbers are exact while every step stays a safe integer, and this runs for every row
  const scaled = secondsOfEpoch * perSecond
  const total = scaled + Number(fraction)
  if (Number.isSafeInteger(scaled) && Number.isSafeInteger(total)) return BigInt(total)
  return BigInt(secondsOfEpoch) * BigInt(perSecond) + BigInt(fraction)
}

/** UTC calendar date (`YYYY-MM-DD`) of an RFC 3339 date-time, or undefined when it is not one. */
export function utcDateOf(text: string): string | undefined {
  const millis = epochFromIsoTimestamp(text, 'ms')
  if (millis === undefined) return undefined
  const perDay = 86_400_000n
  const days = millis / perDay - (millis % perDay < 0n ? 1n : 0n)
  return isoDateFromDays(Number(days))
}
