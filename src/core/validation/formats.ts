import { fullFormats } from 'ajv-formats/dist/formats.js'

/** Tests one string against a format, exactly as ajv does when it meets that format. */
export type FormatTest = (text: string) => boolean

/**
 * The formats the columnar validator checks itself. Any other format sends the schema to the ajv
 * fallback: each one added here needs adversarial cases in the differential test first.
 */
const SUPPORTED = new Set(['date', 'date-time', 'email', 'uuid'])

/**
 * ajv-formats' own test for a supported format, taken from the same `fullFormats` table that
 * `addFormats` installs into the reference ajv, so the two cannot drift apart. Undefined for a format
 * that is not supported, or whose definition has a shape this module does not recognise (a
 * number-typed or async format, or a stateful `g`/`y` RegExp whose verdict depends on call order):
 * the caller then falls back to ajv rather than guess.
 */
export function formatTest(name: string): FormatTest | undefined {
  if (!SUPPORTED.has(name) || !Object.hasOwn(fullFormats, name)) return undefined
  const definition: unknown = fullFormats[name as keyof typeof fullFormats]
  let validate: unknown = definition
  if (typeof definition === 'object' && definition !== null && !(definition instanceof RegExp)) {
    const { type, async, validate: inner } = definition as { type?: unknown; async?: unknown; validate?: unknown }
    if ((type !== undefined && type !== 'string') || async) return undefined
    validate = inner
  }
  if (validate instanceof RegExp) {
    if (validate.global || validate.sticky) return undefined
    return (text) => validate.test(text)
  }
  if (typeof validate === 'function') return validate as FormatTest
  return undefined
}

/**
 * First and last instants whose `toISOString()` has a four-digit year (0000-01-01T00:00:00.000Z and
 * 9999-12-31T23:59:59.999Z). Outside them `toISOString()` writes an expanded year (`+010000-…`,
 * `-000001-…`) that ajv-formats' `date-time` rejects; inside them it always writes a real calendar date,
 * a valid time and `Z`, which it accepts.
 */
const FIRST_FOUR_DIGIT_MS = -62_167_219_200_000
const LAST_FOUR_DIGIT_MS = 253_402_300_799_999

/**
 * Whether ajv-formats' `date-time` accepts the text a Date normalises to (see `dateText`) without
 * building that text. An invalid Date compares false on both sides, and its text is rejected too.
 */
export function isDateTimeDate(date: Date): boolean {
  const millis = date.getTime()
  return millis >= FIRST_FOUR_DIGIT_MS && millis <= LAST_FOUR_DIGIT_MS
}
