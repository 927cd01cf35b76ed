import { parquetMetadata as hyparquetMetadata, type PageHeader, snappyUncompress } from 'hyparquet'
import { parquetHeader } from 'hyparquet/src/column.js'
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

/** Every page of the file: its header, where its stored bytes start, and those bytes. */
function pages(bytes: Uint8Array): Array<{ header: PageHeader; at: number; body: Uint8Array }> {
  const found = []
  for (const meta of chunkMeta(bytes)) {
    const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset)
    const reader = { view: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), offset: start }
    while (reader.offset < start + Number(meta.total_compressed_size)) {
      const header = parquetHeader(reader)
      const at = reader.offset
      reader.offset += header.compressed_page_size
      found.push({ header, at, body: bytes.subarray(at, reader.offset) })
    }
  }
  return found
}

/** CRC-32 (IEEE 802.3, zlib's), written out here so the check does not share the encoder's code. */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
  return c >>> 0
})
function crc32Reference(bytes: Uint8Array): number {
  let crc = 0xffffffff
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8)
  return (crc ^ 0xffffffff) >>> 0
}

const CODECS = ['UNCOMPRESSED', 'GZIP', 'SNAPPY', 'ZSTD'] as const

/** 30,000 rows: dictionary and plain strings, several data pages for the long text, two row groups. */
function manyPages() {
  const random = seededRandom(11)
  const columns: OutputColumn[] = [
    { name: 'code', type: 'string' },
    { name: 'text', type: 'string' },
    { name: 'n', type: 'int64', nullable: false },
    { name: 'f', type: 'double' },
    { name: 'b', type: 'boolean' },
  ]
  const rows = Array.from({ length: 30_000 }, (_, i) => ({
    code: ['EUR', 'USD', null][i % 3],
    text: `${i}:${'x'.repeat(Math.floor(random() * 160))}`,
    n: i * 7919,
    f: i % 13 === 0 ? null : random(),
    // no nulls: Ferry's decoder misreads nullable booleans with nulls past 4,096 rows (decode/, not the
    // encoder: hyparquet, DuckDB and arrow-rs read them, see test/integration/engine/two-readers-readback)
    b: i % 3 === 0,
  }))
  return { columns, rows }
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

  it.each(CODECS)('writes %s files that read back', async (codec) => {
    const bytes = writeParquet(ALL_TYPES, ALL_TYPES_ROWS, { codec })
    expect(parquetMetadata(bytes).codecs).toEqual([codec])
    expect((await readParquetRows(bytes)).rows).toEqual(ALL_TYPES_ROWS.map(withoutNulls))
    const { columns, rows } = manyPages()
    const many = writeParquet(columns, rows, { codec, rowGroupSize: 20_000 })
    expect((await readParquetRows(many)).rows).toEqual(rows.map(withoutNulls))
  })

  it('writes ZSTD frames, by default, far smaller than SNAPPY on orders-shaped rows', () => {
    const { columns, rows } = manyPages()
    const zstd = writeParquet(columns, rows)
    const snappy = writeParquet(columns, rows, { codec: 'SNAPPY' })
    expect(parquetMetadata(zstd).codecs).toEqual(['ZSTD'])
    const data = pages(zstd).find((page) => page.header.type === 'DATA_PAGE')!.body
    expect(Buffer.from(data.subarray(0, 4)).readUInt32LE()).toBe(0xfd2fb528) // the zstd frame magic
    expect(zstd.length).toBeLessThan(snappy.length * 0.8)
  })

  it.each(CODECS)('puts the CRC-32 of its stored bytes in every %s page header', (codec) => {
    const { columns, rows } = manyPages()
    const found = pages(writeParquet(columns, rows, { codec, rowGroupSize: 20_000 }))
    expect(found.filter((page) => page.header.type === 'DICTIONARY_PAGE').length).toBeGreaterThan(0)
    // more than one data page per chunk somewhere (2 row groups x 5 columns)
    expect(found.filter((page) => page.header.type === 'DATA_PAGE').length).toBeGreaterThan(10)
    for (const { header, at, body } of found) {
      expect(header.crc, `page at ${at}`).toBeDefined()
      expect(header.crc! >>> 0, `page at ${at}`).toBe(crc32Reference(body))
    }
  })

  it("lets the reader catch a page damaged after it was written (Ferry's decoder checks page CRCs)", async () => {
    const rows = Array.from({ length: 1000 }, (_, i) => ({ v: i }))
    const bytes = writeParquet([{ name: 'v', type: 'int32', nullable: false }], rows, { codec: 'UNCOMPRESSED' })
    const [page] = pages(bytes)
    const damaged = bytes.slice()
    damaged[page!.at + 40]! ^= 0x01 // one value changed, the page still decodes
    await expect(readParquetRows(bytes)).resolves.toMatchObject({ rows })
    await expect(readParquetRows(damaged)).rejects.toThrow(/page checksum mismatch/)
  })

  it('keeps min/max of the values that are not NaN, and writes none when every value is NaN', () => {
    const bytes = writeParquet(
      [
        { name: 'first', type: 'double' },
        { name: 'all', type: 'double' },
        { name: 'zeros', type: 'double' },
      ],
      [
        { first: Number.NaN, all: Number.NaN, zeros: 0 },
        { first: 4.5, all: Number.NaN, zeros: -0 },
        { first: null, all: null, zeros: Number.NaN },
        { first: -2, all: Number.NaN, zeros: 0 },
      ],
    )
    const [first, all, zeros] = chunkMeta(bytes).map((meta) => meta.statistics!)
    expect(first).toMatchObject({ min_value: -2, max_value: 4.5, null_count: 1n })
    expect(all).toMatchObject({ min_value: undefined, max_value: undefined, null_count: 1n })
    // the spec's zeros: -0 as the minimum and +0 as the maximum, whichever was seen
    expect(Object.is(zeros.min_value, -0)).toBe(true)
    expect(Object.is(zeros.max_value, 0)).toBe(true)
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
