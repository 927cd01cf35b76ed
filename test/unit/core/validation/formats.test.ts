import { fullFormats } from 'ajv-formats/dist/formats.js'
import { describe, expect, it } from 'vitest'
import { dateText } from '../../../../src/core/validation/batch.js'
import { formatTest, isDateTimeDate } from '../../../../src/core/validation/formats.js'

const ajvDateTime = (text: string): boolean =>
  (fullFormats['date-time'] as { validate: (s: string) => boolean }).validate(text)

describe('format checks', () => {
  it('uses ajv-formats’ own tests for the supported formats only', () => {
    expect(formatTest('date')?.('2024-02-29')).toBe(true)
    expect(formatTest('date')?.('2023-02-29')).toBe(false)
    expect(formatTest('date-time')?.('2026-06-30T23:59:60Z')).toBe(true)
    expect(formatTest('date-time')?.('2026-01-01T00:00:00')).toBe(false)
    expect(formatTest('email')?.('a@b.co')).toBe(true)
    expect(formatTest('uuid')?.('urn:uuid:123e4567-e89b-12d3-a456-426614174000')).toBe(true)
    expect(formatTest('hostname')).toBeUndefined()
    expect(formatTest('int32')).toBeUndefined()
    expect(formatTest('toString')).toBeUndefined()
  })

  it.each([
    ['the first four-digit year', -62_167_219_200_000, true],
    ['one millisecond before it', -62_167_219_200_001, false],
    ['the last four-digit year', 253_402_300_799_999, true],
    ['one millisecond after it', 253_402_300_800_000, false],
    ['the epoch', 0, true],
    ['the end of the Date range', 8.64e15, false],
    ['an invalid Date', Number.NaN, false],
  ])('judges a Date at %s as ajv-formats judges its ISO text', (_what, millis, valid) => {
    const date = new Date(millis)
    expect(isDateTimeDate(date)).toBe(valid)
    expect(ajvDateTime(dateText(date))).toBe(valid)
  })
})
