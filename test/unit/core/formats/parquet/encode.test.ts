import { parquetMetadata as hyparquetMetadata, snappyUncompress } from 'hyparquet'
import { describe, expect, it } from 'vitest'
import type { OutputColumn } from '../../../../../src/core/formats/columns.js'
import { canonicalMillis } from '../../../../../src/core/formats/parquet/encode/iso-time.js'
import { snappyCompress } from '../../../../../src/core/formats/parquet/encode/snappy.js'
import { parquetMetadata, readParquetRows, writeParquet } from '../../../../../src/core/formats/parquet.js'
import { seededRandom } from '../../../../../src/core/sample-orders.js'
import { epochFromIsoTimestamp } from '../../../../../src/core/temporal.js'
import { ALL_TYPES, ALL_TYPES_ROWS, withoutNulls } from './support.js'

function chunkMeta(bytes: Uint8Array) {
  return hyparquetMetadata(bytes).row_groups.flatMap((group) => group.columns.map((chunk) => chunk.meta_data!))
}

describe("Ferry's encoder", () => {
  it('dictionary-encodes repetitive strings and writes mostly distinct ones plain', () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ code: ['EUR', 'USD', 'GBP'][i % 3], id: `ID-${i}` }))
    const bytes = writeParquet(
      [
        { name: 'code', type: 'string' },
        { name: 'id', type: 'string' },
      ],
      rows,
    )
    const [code, id] = chunkMeta(bytes)
    expect(code!.encodings).toContain('RLE_DICTIONARY')
    expect(code!.dictionary_page_offset).toBeDefined()
    expect(id!.encodings).not.toContain('RLE_DICTIONARY')
  })

  it('splits large columns into pages and reads every value back', async () => {
    const random = seededRandom(7)
    const rows = Array.from({ length: 60_000 }, (_, i) => ({
      text: i % 11 === 0 ? null : `${i}:${'x'.repeat(Math.floor(random() * 60))}`,
      n: i,
    }))
    const columns: OutputColumn[] = [
      { name: 'text', type: 'string' },
      { name: 'n', type: 'int64', nullable: false },
    ]
    const bytes = writeParquet(columns, rows, { rowGroupSize: 40_000 })
    const text = chunkMeta(bytes)[0]!
    // well over 1 MiB of text in the first row group, so more than one data page
    expect(Number(text.total_uncompressed_size)).toBeGreaterThan(1024 * 1024)
    expect((await readParquetRows(bytes)).rows).toEqual(rows.map(withoutNulls))
  })

  it('keeps text exact: multi-byte UTF-8, long strings, surrogate pairs', async () => {
    const rows = [{ s: 'ünïcødé ✓ 注文 😀' }, { s: `${'long '.repeat(100)}é` }, { s: '' }, { s: '\u{10FFFF}\uFFFF' }]
    const { rows: back } = await readParquetRows(writeParquet([{ name: 's', type: 'string' }], rows))
    expect(back).toEqual(rows)
  })

  it('writes chunk statistics: null counts, numeric bounds without NaN, strings in UTF-8 byte order', () => {
    const bytes = writeParquet(
      [
        { name: 'f', type: 'double' },
        { name: 's', type: 'string' },
        { name: 'i', type: 'int32' },
      ],
      [
        { f: Number.NaN, s: '\uFFFF', i: 3 },
        { f: 2.5, s: '😀', i: -7 },
        { f: -1, s: null, i: null },
      ],
    )
    const [f, s, i] = chunkMeta(bytes).map((meta) => meta.statistics!)
    expect(f).toMatchObject({ min_value: -1, max_value: 2.5, null_count: 0n })
    // JavaScript's < puts the surrogate pair first; UTF-8 bytes (F0... vs EF...) put it last
    expect(s).toMatchObject({ min_value: '\uFFFF', max_value: '😀', null_count: 1n })
    expect(i).toMatchObject({ min_value: -7, max_value: 3, null_count: 1n })
  })

  it.each(['UNCOMPRESSED', 'GZIP', 'SNAPPY'] as const)('writes %s files that read back', async (codec) => {
    const bytes = writeParquet(ALL_TYPES, ALL_TYPES_ROWS, { codec })
    expect(parquetMetadata(bytes).codecs).toEqual([codec])
    expect((await readParquetRows(bytes)).rows).toEqual(ALL_TYPES_ROWS.map(withoutNulls))
  })

  it('reads canonical ISO text by hand exactly as the RFC 3339 parser does', () => {
    const random = seededRandom(5)
    const field = (max: number, width: number) => String(Math.floor(random() * max)).padStart(width, '0')
    let agreed = 0
    for (let i = 0; i < 50_000; i++) {
      const text = `${field(10_000, 4)}-${field(14, 2)}-${field(33, 2)}T${field(26, 2)}:${field(62, 2)}:${field(62, 2)}.${field(1000, 3)}Z`
      const fast = canonicalMillis(text)
      const slow = epochFromIsoTimestamp(text, 'ms')
      if (fast !== undefined) {
        expect(BigInt(fast), text).toBe(slow)
        agreed++
      } else if (Number(text.slice(0, 4)) >= 100) {
        expect(slow, text).toBeUndefined()
      }
    }
    expect(agreed).toBeGreaterThan(1000)
    expect(canonicalMillis('2026-11-23T23:59:60.500Z')).toBe(Date.parse('2026-11-24T00:00:00.500Z'))
    expect(canonicalMillis('2026-11-23T10:00:00+01:00')).toBeUndefined()
  })

  it('snappy-compresses any input that the reference decoder restores exactly', () => {
    const random = seededRandom(3)
    for (let round = 0; round < 200; round++) {
      const input = new Uint8Array(Math.floor(random() ** 2 * 200_000))
      const alphabet = 1 + Math.floor(random() * 255)
      for (let i = 0; i < input.length; i++) {
        const repeat = i > 16 && random() < 0.8
        input[i] = repeat ? input[i - 1 - Math.floor(random() * 16)]! : Math.floor(random() * alphabet)
      }
      const restored = new Uint8Array(input.length)
      snappyUncompress(snappyCompress(input), restored)
      expect(Buffer.compare(restored, input), `round ${round}`).toBe(0)
    }
  })
})
