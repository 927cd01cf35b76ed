/**
 * Seeded value generators for the differential test: plausible values, values that almost satisfy a
 * rule, and a pool of wrong-typed and edge values that every column receives now and then.
 */
import { type Random, seededRandom } from '../../../../../src/core/sample-orders.js'

export class Gen {
  private readonly random: Random

  constructor(seed: number) {
    this.random = seededRandom(seed)
  }

  chance(probability: number): boolean {
    return this.random() < probability
  }

  /** integer in [low, high] */
  int(low: number, high: number): number {
    return low + Math.floor(this.random() * (high - low + 1))
  }

  pick<T>(choices: readonly T[]): T {
    return choices[Math.floor(this.random() * choices.length)]!
  }

  float(low: number, high: number): number {
    return low + this.random() * (high - low)
  }

  text(length: number, alphabet: readonly string[]): string {
    let out = ''
    for (let i = 0; i < length; i++) out += this.pick(alphabet)
    return out
  }
}

const pad = (value: number, width: number): string => String(value).padStart(width, '0')

export const DIGITS = [...'0123456789']
export const HEX = [...'0123456789abcdefABCDEF']
export const LETTERS = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ']
/**
 * Characters whose UTF-16 length differs from their code-point count, or that look like one character
 * but are two: astral emoji and letters, a combining accent, lone surrogates.
 */
export const UNICODE = ['😀', '𝔸', '𠀀', 'é', 'e\u0301', '\u0301', '\ud83d', '\ude00', 'ß', 'Ä', '١', '１', ' ', '\n']
export const MIXED_TEXT = [...LETTERS, ...DIGITS, ...UNICODE, '-', '.', '@', '_']

/** One small edit: delete, duplicate or replace a character, or flip the case of the whole text. */
export function mutate(g: Gen, text: string): string {
  const chars = [...text]
  const at = g.int(0, Math.max(0, chars.length - 1))
  switch (g.int(0, 4)) {
    case 0:
      chars.splice(at, 1)
      break
    case 1:
      chars.splice(at, 0, chars[at] ?? 'x')
      break
    case 2:
      chars[at] = g.pick(MIXED_TEXT)
      break
    case 3:
      return text.toLowerCase() === text ? text.toUpperCase() : text.toLowerCase()
    default:
      return `${text}${g.pick(['', ' ', '\n', 'Z', '0', '😀'])}`
  }
  return chars.join('')
}

/** Every column gets some of these: wrong types, JSON oddities and decoder-shaped values. */
export const WRONG_TYPES: readonly unknown[] = [
  '',
  ' ',
  '0',
  '1',
  'null',
  'true',
  'NaN',
  'x'.repeat(600),
  '😀'.repeat(3),
  0,
  -0,
  1,
  -1,
  0.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  Number.MAX_SAFE_INTEGER,
  2 ** 53,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  1e21,
  0n,
  1n,
  -1n,
  2n ** 53n,
  2n ** 64n,
  -(2n ** 63n),
  true,
  false,
  new Date(0),
  new Date(Number.NaN),
  new Date(8.64e15),
  new Uint8Array([]),
  new Uint8Array([0, 255, 1]),
  [],
  [1, 'a'],
  new Float64Array([1.5, Number.NaN]),
  new BigInt64Array([1n, 2n ** 60n]),
  {},
  { a: 1 },
  { nested: { b: 2n, c: null } },
]

/** Numbers on and around the edges that matter to JSON Schema and to doubles. */
export const NUMBER_EDGES: readonly number[] = [
  0,
  -0,
  1,
  -1,
  0.1,
  0.1 + 0.2,
  1e-9,
  -1e-9,
  Number.EPSILON,
  1 - Number.EPSILON / 2,
  1 + Number.EPSILON,
  2 ** 53 - 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53 - 1),
  -(2 ** 53),
  1e20,
  1e21,
  3e21,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
]

/** BigInts on both sides of the safe-integer edge, where the reader switches from number to string. */
export const BIGINT_EDGES: readonly bigint[] = [
  0n,
  1n,
  -1n,
  3n,
  2n ** 53n - 1n,
  2n ** 53n,
  2n ** 53n + 1n,
  -(2n ** 53n) + 1n,
  -(2n ** 53n),
  -(2n ** 53n) - 1n,
  10n ** 20n,
  10n ** 20n + 1n,
  -(10n ** 20n),
  2n ** 63n - 1n,
  -(2n ** 63n),
]

/** A value near `limit`: exactly on it, one epsilon either side, or a little further. */
export function nearNumber(g: Gen, limit: number): number {
  const step = g.pick([0, Number.EPSILON * Math.max(1, Math.abs(limit)), 1e-9, 0.5, 1])
  return limit + (g.chance(0.5) ? step : -step)
}

export const DATE_TIME_EDGES: readonly string[] = [
  '2026-06-30T23:59:60Z',
  '2026-06-30T23:59:60.5z',
  '2026-06-30T23:59:61Z',
  '2026-06-30T22:59:60Z',
  '2026-07-01T00:59:60+01:00',
  '2026-06-30T22:59:60-01:00',
  '2026-06-30T23:59:60+01:00',
  '2026-01-01T24:00:00Z',
  '2026-02-30T00:00:00Z',
  '2024-02-29T12:00:00Z',
  '2023-02-29T12:00:00Z',
  '2000-02-29T00:00:00Z',
  '1900-02-29T00:00:00Z',
  '2026-01-01T00:00:00',
  '2026-01-01t00:00:00z',
  '2026-01-01 00:00:00Z',
  '2026-01-01T00:00Z',
  '2026-01-01T00:00:00.Z',
  '2026-01-01T00:00:00.123456789+05:30',
  '2026-01-01T00:00:00+0530',
  '2026-01-01T00:00:00+05',
  '2026-01-01T00:00:00+24:00',
  '2026-01-01T00:00:00-23:59',
  '+102026-01-01T00:00:00.000Z',
  '-000001-12-31T23:59:59.999Z',
  '0000-01-01T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  '2026-01-01T00:00:00Z ',
  '2026-01-01TT00:00:00Z',
  '２０２６-01-01T00:00:00Z',
]

/** A valid RFC 3339 date-time in one of the forms ajv-formats accepts. */
export function validDateTimeText(g: Gen): string {
  const date = `${pad(g.int(1970, 2100), 4)}-${pad(g.int(1, 12), 2)}-${pad(g.int(1, 28), 2)}`
  const time = `${pad(g.int(0, 23), 2)}:${pad(g.int(0, 59), 2)}:${pad(g.int(0, 59), 2)}`
  const fraction = g.pick(['', '.1', '.123', '.123456', '.123456789'])
  return `${date}${g.pick(['T', 't', ' '])}${time}${fraction}${g.pick(['Z', 'z', '+01:00', '-0530', '+05'])}`
}

/** An RFC 3339 date-time, mostly valid, sometimes with one field out of range or a loose form. */
export function dateTimeText(g: Gen): string {
  if (g.chance(0.08)) return g.pick(DATE_TIME_EDGES)
  const year = g.chance(0.95) ? g.int(1970, 2100) : g.pick([0, 1, 1900, 2000, 9999])
  const month = g.chance(0.97) ? g.int(1, 12) : g.pick([0, 13])
  const day = g.chance(0.93) ? g.int(1, 28) : g.pick([0, 29, 30, 31, 32])
  const hour = g.chance(0.97) ? g.int(0, 23) : 24
  const minute = g.chance(0.98) ? g.int(0, 59) : 60
  const second = g.chance(0.97) ? g.int(0, 59) : g.pick([60, 61])
  const fraction = g.pick(['', '', '.1', '.123', '.123456', '.123456789'])
  const separator = g.chance(0.9) ? 'T' : g.pick(['t', ' ', '_'])
  const zone = g.chance(0.85) ? 'Z' : g.pick(['z', '+00:00', '-05:30', '+0530', '+05', '+24:00', '+23:60', '', '+1:00'])
  const date = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}`
  const text = `${date}${separator}${pad(hour, 2)}:${pad(minute, 2)}:${pad(second, 2)}${fraction}${zone}`
  return g.chance(0.03) ? mutate(g, text) : text
}

export const DATE_EDGES: readonly string[] = [
  '2024-02-29',
  '2023-02-29',
  '2000-02-29',
  '1900-02-29',
  '2026-04-31',
  '2026-00-10',
  '2026-13-01',
  '2026-1-01',
  '20260101',
  ' 2026-01-01',
  '2026-01-01T00:00:00Z',
  '0000-01-01',
  '+02026-01-01',
]

export function dateText(g: Gen): string {
  if (g.chance(0.15)) return g.pick(DATE_EDGES)
  const text = `${pad(g.int(1600, 2400), 4)}-${pad(g.int(1, 12), 2)}-${pad(g.int(1, 31), 2)}`
  return g.chance(0.05) ? mutate(g, text) : text
}

export const EMAIL_EDGES: readonly string[] = [
  'a@b.co',
  'a..b@example.com',
  '.a@example.com',
  'a.@example.com',
  'a@b',
  'a@-b.com',
  'a@b-.com',
  'a@b.c.',
  'ÄÖ@example.de',
  'a+tag@example.io',
  'A@EXAMPLE.COM',
  '"quoted"@example.com',
  'a@[127.0.0.1]',
  'a@b..com',
  '@example.com',
  'a@',
]

export function emailText(g: Gen): string {
  if (g.chance(0.25)) return g.pick(EMAIL_EDGES)
  const text = `${g.text(g.int(1, 10), LETTERS)}@${g.text(g.int(1, 8), LETTERS)}.${g.pick(['com', 'de', 'io', 'co.uk'])}`
  return g.chance(0.15) ? mutate(g, text) : text
}

export function validEmail(g: Gen): string {
  return `${g.text(g.int(1, 10), LETTERS)}@${g.text(g.int(1, 8), LETTERS)}.${g.pick(['com', 'de', 'io', 'co.uk'])}`
}

export function validUuid(g: Gen): string {
  const hex = (n: number): string => g.text(n, HEX)
  return `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`
}

export function uuidText(g: Gen): string {
  const hex = (n: number): string => g.text(n, HEX)
  const text = `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`
  if (g.chance(0.1)) return g.pick(['urn:uuid:', 'URN:UUID:', '{', 'uuid:']) + text
  return g.chance(0.2) ? mutate(g, text) : text
}

/** Text of a given code-point count drawn from an alphabet that includes astral and combining characters. */
export function unicodeText(g: Gen, codePoints: number): string {
  return g.text(codePoints, g.chance(0.5) ? LETTERS : MIXED_TEXT)
}

/** Instants around the four-digit-year edges of `toISOString()`, the epoch, the Date range limits, and invalid. */
export const INSTANT_EDGES: readonly Date[] = [
  new Date(-62_167_219_200_000),
  new Date(-62_167_219_200_001),
  new Date(253_402_300_799_999),
  new Date(253_402_300_800_000),
  new Date(0),
  new Date(-1),
  new Date(8.64e15),
  new Date(-8.64e15),
  new Date(Number.NaN),
  new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 999)),
]

/** An instant whose ISO text has a four-digit year. */
export function validInstant(g: Gen): Date {
  return new Date(g.float(-62_167_219_200_000, 253_402_300_799_999))
}

export function instant(g: Gen): Date {
  if (g.chance(0.1)) return g.pick(INSTANT_EDGES)
  if (g.chance(0.1)) return new Date(g.float(-8.64e15, 8.64e15))
  return new Date(g.float(0, 4.1e12))
}
