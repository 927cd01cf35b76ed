import { gzipSync } from 'node:zlib'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { describe, expect, it } from 'vitest'
import packageJson from '../../../../package.json' with { type: 'json' }
import type { OutputColumn } from '../../../../src/core/formats/columns.js'
import {
  bytesReader,
  memorySink,
  openParquet,
  ParquetStreamWriter,
  parquetMetadata,
  readParquet,
  readParquetRows,
  writeParquet,
} from '../../../../src/core/formats/parquet.js'
import { seededRandom } from '../../../../src/core/sample-orders.js'
import { FerryError, FormatError, UnsupportedError } from '../../../../src/errors.js'
import { ALL_TYPES, ALL_TYPES_ROWS, recordingReader, withoutNulls } from './parquet/support.js'

describe('writeParquet / readParquetRows', () => {
  it('round-trips every column type, extremes and nulls exactly', async () => {
    const bytes = writeParquet(ALL_TYPES, ALL_TYPES_ROWS)
    const { columns, rows } = await readParquetRows(bytes)
    expect(rows).toEqual(ALL_TYPES_ROWS.map(withoutNulls))
    expect(columns).toEqual([
      { name: 's', physicalType: 'BYTE_ARRAY', logicalType: 'STRING', nullable: true },
      { name: 'i32', physicalType: 'INT32', logicalType: undefined, nullable: true },
      { name: 'i64', physicalType: 'INT64', logicalType: undefined, nullable: true },
      { name: 'f64', physicalType: 'DOUBLE', logicalType: undefined, nullable: true },
      { name: 'b', physicalType: 'BOOLEAN', logicalType: undefined, nullable: true },
      { name: 'ts_ms', physicalType: 'INT64', logicalType: 'TIMESTAMP(MILLIS,UTC)', nullable: true },
      { name: 'ts_us', physicalType: 'INT64', logicalType: 'TIMESTAMP(MICROS,UTC)', nullable: true },
      { name: 'd', physicalType: 'INT32', logicalType: 'DATE', nullable: true },
    ])
  })

  it('writes a valid file with the schema and no row groups for zero rows', async () => {
    const bytes = writeParquet(ALL_TYPES, [])
    expect(parquetMetadata(bytes)).toMatchObject({ rows: 0, rowGroups: [] })
    const { columns, rows } = await readParquetRows(bytes)
    expect(rows).toEqual([])
    expect(columns.map((column) => column.name)).toEqual(ALL_TYPES.map((column) => column.name))
  })

  it('marks non-nullable columns REQUIRED, compresses with zstd and names Ferry and its version', () => {
    const bytes = writeParquet([{ name: 'id', type: 'string', nullable: false }], [{ id: 'a' }])
    const info = parquetMetadata(bytes)
    expect(info.columns[0]).toMatchObject({ name: 'id', nullable: false })
    expect(info.codecs).toEqual(['ZSTD'])
    expect(info.createdBy).toBe(`ferry version ${packageJson.version}`)
  })

  it('normalises timestamps with offsets, Dates and long fractions to UTC at the column precision', async () => {
    const columns: OutputColumn[] = [
      { name: 't', type: 'timestamp' },
      { name: 'd', type: 'date' },
    ]
    const input = [
      { t: '2026-11-23T01:30:00+02:00', d: new Date(Date.UTC(2026, 10, 23, 23, 59)) },
      { t: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), d: '2024-02-29' },
      { t: '2026-11-23T10:00:00.123999999Z', d: '1999-12-31' },
    ]
    const { rows } = await readParquetRows(writeParquet(columns, input))
    expect(rows).toEqual([
      { t: '2026-11-22T23:30:00.000Z', d: '2026-11-23' },
      { t: '2026-01-02T03:04:05.006Z', d: '2024-02-29' },
      { t: '2026-11-23T10:00:00.123Z', d: '1999-12-31' },
    ])
  })

  it('ignores row properties that are not output columns', async () => {
    const bytes = writeParquet([{ name: 'a', type: 'int32' }], [{ a: 1, extra: 'dropped' }])
    expect((await readParquetRows(bytes)).rows).toEqual([{ a: 1 }])
  })

  it.each([
    ['a number in a string column', { name: 'c', type: 'string' }, 42],
    ['a fraction in an int32 column', { name: 'c', type: 'int32' }, 1.5],
    ['an int32 overflow', { name: 'c', type: 'int32' }, 2 ** 31],
    ['an unsafe number in an int64 column', { name: 'c', type: 'int64' }, 2 ** 60],
    ['an int64 overflow', { name: 'c', type: 'int64' }, '9223372036854775808'],
    ['a string in a double column', { name: 'c', type: 'double' }, '1.5'],
    ['a string in a boolean column', { name: 'c', type: 'boolean' }, 'true'],
    ['an impossible timestamp', { name: 'c', type: 'timestamp' }, '2026-02-30T00:00:00Z'],
    ['a timestamp without zone', { name: 'c', type: 'timestamp' }, '2026-11-23T10:00:00'],
    ['an invalid Date', { name: 'c', type: 'timestamp' }, new Date(Number.NaN)],
    ['a date-time in a date column', { name: 'c', type: 'date' }, '2026-11-23T00:00:00Z'],
    ['a null in a non-nullable column', { name: 'c', type: 'string', nullable: false }, null],
  ] as Array<[string, OutputColumn, unknown]>)(
    'rejects %s with FERRY_INTERNAL naming the column and row',
    (_, column, value) => {
      let thrown: unknown
      try {
        writeParquet([column], [{ c: value }])
      } catch (err) {
        thrown = err
      }
      expect(thrown).toBeInstanceOf(FerryError)
      expect(thrown).toMatchObject({ code: 'FERRY_INTERNAL', context: { column: 'c', row: 0 } })
    },
  )

  it('splits rows into row groups and reads them back one group at a time', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => ({ n: i, s: `row ${i}` }))
    const bytes = writeParquet(
      [
        { name: 'n', type: 'int32' },
        { name: 's', type: 'string' },
      ],
      rows,
      { rowGroupSize: 1000 },
    )
    expect(parquetMetadata(bytes).rowGroups.map((group) => group.rows)).toEqual([1000, 1000, 500])
    const batches: Array<{ rowStart: number; count: number; first: unknown }> = []
    for await (const batch of readParquet(bytes)) {
      batches.push({ rowStart: batch.rowStart, count: batch.rows.length, first: batch.rows[0] })
    }
    expect(batches).toEqual([
      { rowStart: 0, count: 1000, first: { n: 0, s: 'row 0' } },
      { rowStart: 1000, count: 1000, first: { n: 1000, s: 'row 1000' } },
      { rowStart: 2000, count: 500, first: { n: 2000, s: 'row 2000' } },
    ])
  })

  it('reads a Uint8Array that is a window on a larger buffer', async () => {
    const bytes = writeParquet([{ name: 'a', type: 'string' }], [{ a: 'x' }, { a: 'y' }])
    const window = Buffer.concat([Buffer.from('junk before'), bytes, Buffer.from('junk after')]).subarray(
      11,
      11 + bytes.byteLength,
    )
    expect((await readParquetRows(window)).rows).toEqual([{ a: 'x' }, { a: 'y' }])
  })

  it('reads gzip-compressed files (decoded with node:zlib)', async () => {
    const bytes = new Uint8Array(
      parquetWriteBuffer({
        columnData: [{ name: 'word', data: ['alpha', 'beta', null], type: 'STRING' }],
        codec: 'GZIP',
        compressors: { GZIP: (input) => gzipSync(input) },
      }),
    )
    expect(parquetMetadata(bytes).codecs).toEqual(['GZIP'])
    expect((await readParquetRows(bytes)).rows).toEqual([{ word: 'alpha' }, { word: 'beta' }, {}])
  })
})

async function readError(bytes: Uint8Array): Promise<unknown> {
  try {
    await readParquetRows(bytes)
  } catch (err) {
    return err
  }
  return undefined
}

describe('reading damaged input', () => {
  const good = writeParquet(ALL_TYPES, ALL_TYPES_ROWS)

  it.each([
    ['empty input', new Uint8Array(0), /input is empty/],
    ['a few bytes', new TextEncoder().encode('PAR1'), /too short/],
    ['text', new TextEncoder().encode('order_id,amount\nORD-00000001,12.5\n'), /bad magic/],
    ['a truncated file', good.slice(0, Math.floor(good.byteLength / 2)), /truncated Parquet file: footer magic/],
    ['a file missing its first bytes', good.slice(4), /header magic PAR1 missing/],
  ])('throws FormatError for %s', async (_, bytes, message) => {
    const err = await readError(bytes)
    expect(err).toBeInstanceOf(FormatError)
    expect((err as Error).message).toMatch(message)
    expect(() => parquetMetadata(bytes)).toThrow(FormatError)
  })

  it('throws FormatError when the footer length points before the start of the file', async () => {
    const bytes = good.slice()
    new DataView(bytes.buffer).setUint32(bytes.byteLength - 8, bytes.byteLength, true)
    expect(((await readError(bytes)) as Error).message).toMatch(/footer claims/)
  })

  it('throws FormatError when the footer bytes are garbage', async () => {
    const bytes = good.slice()
    const footerLength = new DataView(bytes.buffer).getUint32(bytes.byteLength - 8, true)
    bytes.fill(0xff, bytes.byteLength - 8 - footerLength, bytes.byteLength - 8)
    const err = await readError(bytes)
    expect(err).toBeInstanceOf(FormatError)
    expect((err as Error).message).toMatch(/corrupt Parquet footer/)
  })

  it('throws FormatError naming the rows when page data is garbage', async () => {
    const bytes = good.slice()
    // the first column chunk starts right after the 4-byte header: wreck its page header
    bytes.fill(0xff, 4, 24)
    const err = await readError(bytes)
    expect(err).toBeInstanceOf(FormatError)
    expect((err as Error).message).toMatch(/corrupt Parquet data in rows 0-4/)
  })

  // Damage to the footer and truncation; damaged pages are the fuzz suite's (parquet/fuzz.test.ts).
  it('never lets a raw TypeError or RangeError escape from a damaged footer or a cut file', async () => {
    const random = seededRandom(42)
    const big = writeParquet(
      ALL_TYPES,
      Array.from({ length: 300 }, (_, i) => ALL_TYPES_ROWS[i % ALL_TYPES_ROWS.length]!),
      { rowGroupSize: 100 },
    )
    const footerLength = new DataView(big.buffer).getUint32(big.byteLength - 8, true)
    const footerStart = big.byteLength - 8 - footerLength
    const outcomes = new Set<string>()
    for (let round = 0; round < 400; round++) {
      let bytes = big.slice()
      if (round % 4 === 0) {
        bytes = bytes.slice(0, Math.floor(random() * bytes.byteLength))
      } else {
        const flips = 1 + Math.floor(random() * 4)
        for (let i = 0; i < flips; i++) {
          bytes[footerStart + Math.floor(random() * footerLength)] = Math.floor(random() * 256)
        }
      }
      const err = await readError(bytes)
      if (err !== undefined && !(err instanceof FormatError) && !(err instanceof UnsupportedError)) throw err
      outcomes.add(err === undefined ? 'read' : (err as Error).name)
    }
    expect(outcomes).toContain('FormatError')
  })
})

describe('streaming', () => {
  const columns: OutputColumn[] = [
    { name: 'n', type: 'int32', nullable: false },
    { name: 's', type: 'string' },
  ]
  const rows = Array.from({ length: 2500 }, (_, i) => ({ n: i, s: i % 7 === 0 ? null : `row ${i}` }))

  it('opens a file with one request for the footer and reads each row group with one more', async () => {
    const bytes = writeParquet(columns, rows, { rowGroupSize: 1000 })
    const { reader, requests } = recordingReader(bytes)
    const input = await openParquet(reader)
    expect(input.info.rows).toBe(2500)
    // the file's first bytes (header magic) and its tail (footer), fetched together
    expect(requests).toHaveLength(2)
    const lengths: number[] = []
    for await (const batch of input.batches()) lengths.push(batch.length)
    expect(lengths).toEqual([1000, 1000, 500])
    expect(requests).toHaveLength(5)
    // each row group's column chunks, not the file
    for (const [start, end] of requests.slice(2)) expect(end - start).toBeLessThan(bytes.byteLength / 2)
  })

  it('reads a large row group in slices of at most maxRows, with the values a whole read gives', async () => {
    const bytes = writeParquet(columns, rows)
    const input = await openParquet(recordingReader(bytes).reader)
    const batches = []
    for await (const batch of input.batches({ maxRows: 1000 })) batches.push(batch)
    expect(batches.map((batch) => [batch.rowStart, batch.length])).toEqual([
      [0, 1000],
      [1000, 1000],
      [2000, 500],
    ])
    const values = batches.flatMap((batch) => Array.from(batch.columns.s!))
    expect(values).toEqual(rows.map((row) => row.s))
  })

  it('reads footers larger than the first guess of the tail', async () => {
    const wide = Array.from(
      { length: 400 },
      (_, i): OutputColumn => ({ name: `a_rather_long_column_name_${i}`, type: 'int32' }),
    )
    const bytes = writeParquet(wide, [Object.fromEntries(wide.map(({ name }, i) => [name, i]))])
    const { reader, requests } = recordingReader(bytes)
    const input = await openParquet(reader)
    expect(input.info.columns).toHaveLength(400)
    expect(requests.length).toBeGreaterThanOrEqual(2)
  })

  it('streams one sink write per row group, the file header first and the footer at finish', async () => {
    const sink = memorySink()
    const writes: number[] = []
    const recording = {
      write: async (chunk: Uint8Array) => {
        writes.push(chunk.byteLength)
        await sink.write(chunk)
      },
      close: sink.close,
    }
    const writer = new ParquetStreamWriter(columns, recording, { rowGroupRows: 1000 })
    const values = [rows.map((row) => row.n), rows.map((row) => row.s)]
    await writer.write(values, 1000)
    expect(writes).toHaveLength(2)
    // only the selected rows of the second batch: the odd ones
    const odd = Int32Array.from({ length: 1250 }, (_, i) => 2 * i + 1)
    await writer.write(values, odd.length, odd)
    await writer.finish()
    expect(writes).toHaveLength(4)
    const bytes = (await sink.close())!
    expect(parquetMetadata(bytes).rowGroups.map((group) => group.rows)).toEqual([1000, 1250])
    const back = await readParquetRows(bytes)
    expect(back.rows).toHaveLength(2250)
    expect(back.rows[1000]).toEqual({ n: 1, s: 'row 1' })
  })
})

describe('openParquet column projection', () => {
  it('decodes only the columns asked for, in file order, with both decoders', async () => {
    const bytes = writeParquet(ALL_TYPES, ALL_TYPES_ROWS, { rowGroupSize: 2 })
    const wanted = [ALL_TYPES[3]!.name, ALL_TYPES[0]!.name, 'not-a-column']
    for (const decoder of ['fast', 'hyparquet'] as const) {
      const input = await openParquet(bytesReader(bytes))
      const all = []
      for await (const batch of input.batches()) all.push(batch)
      let row = 0
      for await (const batch of input.batches({ columns: wanted, decoder })) {
        expect(Object.keys(batch.columns)).toEqual([ALL_TYPES[0]!.name, ALL_TYPES[3]!.name])
        const whole = all.find((b) => b.rowStart === batch.rowStart)!
        for (const name of Object.keys(batch.columns)) expect(batch.columns[name]).toEqual(whole.columns[name])
        row += batch.length
      }
      expect(row).toBe(ALL_TYPES_ROWS.length)
    }
  })
})
