/**
 * Nullable booleans across batches: PLAIN booleans are bits, and with nulls a batch's present values
 * need not fill whole bytes, so the next batch must start mid-byte. (The fast decoder once started it
 * at the next byte: "page data ends early" past 4,096 rows, and wrong values at exactly 8,192.)
 */
import { describe, expect, it } from 'vitest'
import { readParquetRows, writeParquet } from '../../../../../src/core/formats/parquet.js'

describe('nullable boolean columns', () => {
  it.each([4_097, 8_192, 20_001])('read back exactly over %i rows, with nulls every 5th and 7th row', async (count) => {
    const rows = Array.from({ length: count }, (_, i) => ({
      b: i % 5 === 0 || i % 7 === 3 ? null : (i * 2654435761) % 3 === 0,
    }))
    const { rows: back } = await readParquetRows(writeParquet([{ name: 'b', type: 'boolean' }], rows))
    expect(back.map((r) => r.b ?? null)).toEqual(rows.map((r) => r.b))
  })
})
