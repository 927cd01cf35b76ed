import { readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import type { OutputColumn } from '../../../../src/core/formats/columns.js'
import {
  csvDelimiterOf,
  detectFormat,
  type RecordBatch,
  readRecords,
  rowIndexes,
} from '../../../../src/core/formats/detect.js'
import { writeParquet } from '../../../../src/core/formats/parquet.js'
import { FormatError, LimitError, UnsupportedError } from '../../../../src/errors.js'
import { orders } from '../../../support/datasets.js'

function fixture(name: string): Uint8Array {
  return readFileSync(new URL(`../../../fixtures/formats/${name}`, import.meta.url))
}

const text = (s: string) => new TextEncoder().encode(s)

const COLUMNS: OutputColumn[] = [
  { name: 'id', type: 'int32', nullable: false },
  { name: 'name', type: 'string' },
]

async function read(key: string, bytes: Uint8Array, options = {}): Promise<RecordBatch[]> {
  const batches: RecordBatch[] = []
  for await (const batch of readRecords(key, bytes, options)) batches.push(batch)
  return batches
}

describe('detectFormat', () => {
  it('trusts magic numbers over names', () => {
    const parquet = writeParquet(COLUMNS, [{ id: 1 }])
    expect(detectFormat('x/anything.csv', parquet)).toEqual({ format: 'parquet', compression: 'none' })
    expect(detectFormat('x/a.csv', gzipSync(text('a\n')))).toEqual({ format: 'csv', compression: 'gzip' })
    expect(detectFormat('x/a.jsonl.gz', gzipSync(text('{}')))).toEqual({ format: 'ndjson', compression: 'gzip' })
    expect(detectFormat('x/a.parquet.gz', gzipSync(parquet))).toEqual({ format: 'parquet', compression: 'gzip' })
  })

  it('falls back to the key extension for text formats', () => {
    expect(detectFormat('a/b.CSV', text('a,b'))).toEqual({ format: 'csv', compression: 'none' })
    expect(detectFormat('a/b.ndjson', text('{}'))).toEqual({ format: 'ndjson', compression: 'none' })
    expect(detectFormat('a/b.jsonl', text('{}'))).toEqual({ format: 'ndjson', compression: 'none' })
    // a .parquet name without the magic still goes to the Parquet reader, which says what is wrong
    expect(detectFormat('a/b.parquet', text('oops'))).toEqual({ format: 'parquet', compression: 'none' })
  })

  it('reads .tsv as CSV separated by tabs, gzipped or not', () => {
    expect(detectFormat('a/b.tsv', text('a\tb'))).toEqual({ format: 'csv', compression: 'none' })
    expect(csvDelimiterOf('a/b.TSV')).toBe('\t')
    expect(csvDelimiterOf('a/b.tsv.gz')).toBe('\t')
    expect(csvDelimiterOf('a/b.csv.gz')).toBe(',')
  })

  it('refuses a .gz that is not gzip, and names it when the format cannot be told', () => {
    expect(() => detectFormat('not-gzip.csv.gz', fixture('not-gzip.csv.gz'))).toThrow(FormatError)
    expect(() => detectFormat('a/b.xlsx', text('PK'))).toThrow(UnsupportedError)
    expect(() => detectFormat('a/b.txt.gz', gzipSync(text('x')))).toThrow(
      expect.objectContaining({ feature: 'file-format', message: expect.stringMatching(/before \.gz/) }),
    )
  })
})

describe('readRecords', () => {
  it('reads Parquet as row-group batches in the common shape', async () => {
    const bytes = writeParquet(
      COLUMNS,
      Array.from({ length: 5 }, (_, i) => ({ id: i, name: `n${i}` })),
      { rowGroupSize: 2 },
    )
    const batches = await read('orders/a.parquet', bytes)
    expect(batches.map((b) => [b.rowStart, b.rows.length, b.rowErrors])).toEqual([
      [0, 2, undefined],
      [2, 2, undefined],
      [4, 1, undefined],
    ])
  })

  it('reads gzipped CSV typed by the schema, and gzipped Parquet', async () => {
    const [csv] = await read('orders/2026-02-17/orders.csv.gz', fixture('orders.csv.gz'), { schema: orders.schema })
    expect(csv!.rows).toHaveLength(5)
    expect(csv!.rows[0]).toMatchObject({ order_id: 'ORD-10000001', amount: 19.99, quantity: 2 })
    const parquet = gzipSync(writeParquet(COLUMNS, [{ id: 7, name: 'x' }]))
    expect(await read('a.parquet.gz', parquet)).toEqual([{ rowStart: 0, rows: [{ id: 7, name: 'x' }] }])
  })

  it('reads NDJSON with its row errors', async () => {
    const [batch] = await read('orders.ndjson', fixture('orders.ndjson'))
    expect(batch!.rows).toHaveLength(3)
    expect(batch!.rowErrors).toHaveLength(2)
  })

  it('applies the decompression limit to every gzipped format', async () => {
    const big = gzipSync(new Uint8Array(8 * 1024 * 1024).fill(0x0a))
    await expect(read('a.csv.gz', big, { maxDecompressedBytes: 1024 * 1024 })).rejects.toBeInstanceOf(LimitError)
    await expect(read('a.parquet.gz', big, { maxDecompressedBytes: 1024 * 1024 })).rejects.toBeInstanceOf(LimitError)
  })

  it('fails a file named .gz that is not gzip with FormatError', async () => {
    await expect(read('not-gzip.csv.gz', fixture('not-gzip.csv.gz'))).rejects.toBeInstanceOf(FormatError)
  })
})

describe('rowIndexes', () => {
  it('numbers rows around the row errors', () => {
    const batch: RecordBatch = {
      rowStart: 10,
      rows: [{}, {}, {}],
      rowErrors: [
        { row: 10, message: 'x' },
        { row: 12, message: 'y' },
      ],
    }
    expect(rowIndexes(batch)).toEqual([11, 13, 14])
    expect(rowIndexes({ rowStart: 3, rows: [{}, {}] })).toEqual([3, 4])
  })
})
