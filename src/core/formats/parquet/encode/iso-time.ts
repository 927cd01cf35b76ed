/**
 * Epoch milliseconds of a timestamp in the canonical form `YYYY-MM-DDTHH:MM:SS.sssZ`, which is what
 * `toISOString()` writes and what most exports carry, read by hand; undefined for any other form or
 * an impossible date, which the caller then leaves to temporal.ts's full RFC 3339 parser. It gives
 * that parser's answer for every text it accepts, second 60 included (the next minute's first).
 */

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
/** position and character of every separator */
const SEPARATORS: ReadonlyArray<readonly [number, number]> = [
  [4, 0x2d], // -
  [7, 0x2d],
  [10, 0x54], // T
  [13, 0x3a], // :
  [16, 0x3a],
  [19, 0x2e], // .
  [23, 0x5a], // Z
]

function digits(text: string, from: number, to: number): number {
  let value = 0
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 0x30
    if (digit < 0 || digit > 9) return -1
    value = value * 10 + digit
  }
  return value
}

function daysIn(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
  return month === 2 && leap ? 29 : MONTH_DAYS[month - 1]!
}

export function canonicalMillis(text: string): number | undefined {
  if (text.length !== 24) return undefined
  for (const [position, code] of SEPARATORS) if (text.charCodeAt(position) !== code) return undefined
  const year = digits(text, 0, 4)
  const month = digits(text, 5, 7)
  const day = digits(text, 8, 10)
  const hour = digits(text, 11, 13)
  const minute = digits(text, 14, 16)
  const second = digits(text, 17, 19)
  const millis = digits(text, 20, 23)
  // Date.UTC reads years below 100 as 1900 + year, so those take the slow path
  if (year < 100 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 60 || millis < 0) return undefined
  return Date.UTC(year, month - 1, day, hour, minute, second, millis)
}
