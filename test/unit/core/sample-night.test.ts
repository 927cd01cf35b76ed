import { describe, expect, it } from 'vitest'
import { processFile } from '../../../src/core/engine.js'
import { parquetMetadata } from '../../../src/core/formats/parquet.js'
import {
  generateSampleNight,
  HIGH_INVALID_RATE,
  LOW_INVALID_RATE,
  MAX_FILE_ROWS,
  MIN_FILE_ROWS,
} from '../../../src/core/sample-night.js'
import { FormatError, UsageError } from '../../../src/errors.js'
import { orders } from '../../support/datasets.js'

const DATE = '2026-11-23'
const night = generateSampleNight({ date: DATE, seed: 7 })

describe('generateSampleNight', () => {
  it('is deterministic: the same options give byte-identical files', () => {
    const again = generateSampleNight({ date: DATE, seed: 7 })
    expect(again.files.map((file) => file.key)).toEqual(night.files.map((file) => file.key))
    for (const [i, file] of again.files.entries()) {
      expect(Buffer.from(file.bytes).equals(night.files[i]!.bytes)).toBe(true)
      expect(file.expect).toEqual(night.files[i]!.expect)
    }
  })

  it('gives a different night for a different seed, and derives a default seed from the date', () => {
    const other = generateSampleNight({ date: DATE, seed: 8, files: 4 })
    const same = generateSampleNight({ date: DATE, seed: 7, files: 4 })
    expect(Buffer.from(other.files[0]!.bytes).equals(same.files[0]!.bytes)).toBe(false)
    const byDate = generateSampleNight({ date: DATE, files: 4 })
    expect(
      Buffer.from(byDate.files[1]!.bytes).equals(generateSampleNight({ date: DATE, files: 4 }).files[1]!.bytes),
    ).toBe(true)
  })

  it('has 24 hourly files keyed by date, from 50 to 20,000 rows', () => {
    expect(night.files).toHaveLength(24)
    expect(night.files.map((file) => file.key)).toEqual(
      Array.from({ length: 24 }, (_, i) => `orders/${DATE}/orders-${String(i + 1).padStart(4, '0')}.parquet`),
    )
    const sizes = night.files.filter((file) => !file.expect.corrupt).map((file) => file.expect.rows)
    expect(Math.min(...sizes)).toBe(MIN_FILE_ROWS)
    expect(Math.max(...sizes)).toBe(MAX_FILE_ROWS)
    expect(new Set(sizes).size).toBeGreaterThan(15)
  })

  it('has exactly one corrupt file and two files with invalid rows, one either side of 5%', () => {
    expect(night.files.filter((file) => file.expect.corrupt)).toHaveLength(1)
    const rates = night.files
      .filter((file) => file.expect.invalidRows > 0)
      .map((file) => file.expect.invalidRows / file.expect.rows)
      .sort()
    expect(rates).toHaveLength(2)
    expect(rates[0]).toBeCloseTo(LOW_INVALID_RATE, 2)
    expect(rates[0]).toBeLessThan(orders.quality.maxRejectedRate)
    expect(rates[1]).toBeCloseTo(HIGH_INVALID_RATE, 2)
    expect(rates[1]).toBeGreaterThan(orders.quality.maxRejectedRate)
  })

  it('writes input-side Parquet types', () => {
    const file = night.files.find((f) => !f.expect.corrupt)!
    const types = Object.fromEntries(
      parquetMetadata(file.bytes).columns.map((column) => [column.name, column.logicalType ?? column.physicalType]),
    )
    expect(types).toEqual({
      order_id: 'STRING',
      customer_id: 'STRING',
      ordered_at: 'TIMESTAMP(MILLIS,UTC)',
      shipped_at: 'STRING',
      amount: 'DOUBLE',
      currency: 'STRING',
      country: 'STRING',
      quantity: 'INT32',
      note: 'STRING',
    })
  })

  it('matches what processFile reports for every file', async () => {
    for (const file of night.files) {
      if (file.expect.corrupt) {
        await expect(processFile(file.bytes, orders), file.key).rejects.toBeInstanceOf(FormatError)
        continue
      }
      const result = await processFile(file.bytes, orders)
      expect(
        { key: file.key, rowsIn: result.rowsIn, rowsRejected: result.rowsRejected, eventDate: result.eventDate },
        file.key,
      ).toEqual({ key: file.key, rowsIn: file.expect.rows, rowsRejected: file.expect.invalidRows, eventDate: DATE })
      expect(result.rowsOut).toBe(result.rowsIn - result.rowsRejected)
    }
  })

  it.each([
    [{ date: '2026-02-30' }, /calendar date/],
    [{ date: '23/11/2026' }, /calendar date/],
    [{ date: DATE, files: 3 }, /4 to 1000 files/],
    [{ date: DATE, files: 2.5 }, /4 to 1000 files/],
  ])('rejects %j with UsageError', (options, message) => {
    expect(() => generateSampleNight(options)).toThrow(UsageError)
    expect(() => generateSampleNight(options)).toThrow(message)
  })
})
