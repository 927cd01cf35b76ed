/**
 * The engine on every source format: the same orders as Parquet, CSV and NDJSON, gzipped or not,
 * must give byte-identical output and the same quarantine; unreadable text records are quarantined
 * in file order with their text; and every limit stops a file with a message naming its setting.
 */
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import type { Row } from '../../../src/core/dataset.js'
import { type EngineOptions, type ProcessedFile, processFile, type QuarantineLine } from '../../../src/core/engine.js'
import { readParquetRows, writeParquet } from '../../../src/core/formats/parquet.js'
import { ORDER_INPUT_COLUMNS, ordersCsv, ordersNdjson } from '../../../src/core/sample-orders.js'
import { LimitError } from '../../../src/errors.js'
import { orders } from '../../support/datasets.js'
import { sampleOrders } from '../../support/orders.js'

const NAMES = ORDER_INPUT_COLUMNS.map((column) => column.name)

function sampleRows(count: number, defects: number, seed = count): Row[] {
  return sampleOrders(count, { defects, seed })
}

function quarantined(file: ProcessedFile): QuarantineLine[] {
  if (!file.quarantine) return []
  return new TextDecoder()
    .decode(file.quarantine)
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as QuarantineLine)
}

const run = (bytes: Uint8Array, key: string, options: EngineOptions = {}) =>
  processFile(bytes, orders, { key, batchRows: 700, ...options })

describe('processSource on text formats', () => {
  const rows = sampleRows(3000, 40)
  const parquet = writeParquet(ORDER_INPUT_COLUMNS, rows, { rowGroupSize: 1000 })

  it('writes the same output and quarantine from Parquet, CSV, NDJSON and their gzips', async () => {
    const reference = await run(parquet, 'orders/a.parquet')
    expect(reference).toMatchObject({ rowsIn: 3000, rowsOut: 2960, rowsRejected: 40 })
    const inputs: Array<[string, Uint8Array]> = [
      ['orders/a.csv', ordersCsv(rows)],
      ['orders/a.ndjson', ordersNdjson(rows)],
      ['orders/a.jsonl', ordersNdjson(rows)],
      ['orders/a.csv.gz', gzipSync(ordersCsv(rows))],
      ['orders/a.ndjson.gz', gzipSync(ordersNdjson(rows))],
      ['orders/a.parquet.gz', gzipSync(parquet)],
      ['orders/a.tsv', ordersCsv(rows, '\t')],
      ['orders/a.tsv.gz', gzipSync(ordersCsv(rows, '\t'))],
    ]
    for (const [key, bytes] of inputs) {
      const file = await run(bytes, key)
      expect({ key, rowsIn: file.rowsIn, rowsOut: file.rowsOut, rowsRejected: file.rowsRejected }).toEqual({
        key,
        rowsIn: 3000,
        rowsOut: 2960,
        rowsRejected: 40,
      })
      expect(Buffer.from(file.output).equals(Buffer.from(reference.output)), key).toBe(true)
      expect(quarantined(file), key).toEqual(quarantined(reference))
      expect(file.eventDate).toBe(reference.eventDate)
    }
  })

  it("reads a dataset's semicolon CSV like any other, and quarantines it for a dataset that expects commas", async () => {
    const semicolons = ordersCsv(rows, ';')
    const reference = await run(parquet, 'orders/a.parquet')
    const european = { ...orders, csv: { delimiter: ';' as const } }
    const file = await processFile(semicolons, european, { key: 'orders/a.csv', batchRows: 700 })
    expect(Buffer.from(file.output).equals(Buffer.from(reference.output))).toBe(true)
    // read with commas, each line is one field named by the whole header: refused, never half-read
    const misread = await run(semicolons, 'orders/a.csv')
    expect(misread).toMatchObject({ rowsIn: 3000, rowsOut: 0, rowsRejected: 3000 })
    expect(misread.firstErrors.map((e) => e.keyword)).toContain('additionalProperties')
  })

  it('reports the format, and text columns by name without a type, so drift checks see added columns', async () => {
    const csv = await run(gzipSync(ordersCsv(rows)), 'orders/a.csv.gz')
    expect(csv.source).toMatchObject({ format: 'csv', compression: 'gzip', rows: 3000, codecs: ['GZIP'] })
    expect(csv.source.columns.map((column) => column.name)).toEqual(NAMES)
    expect(new Set(csv.source.columns.map((column) => column.physicalType))).toEqual(new Set(['TEXT']))
    const ndjson = await run(new TextEncoder().encode('{"order_id":"ORD-00000001","extra":1}\n'), 'orders/b.ndjson')
    expect(ndjson.source.columns.map((column) => column.name)).toEqual(['order_id', 'extra'])
    const fromParquet = await run(parquet, 'orders/a.parquet')
    expect(fromParquet.source).toMatchObject({ format: 'parquet', compression: 'none', rows: 3000 })
  })

  it('quarantines unreadable records with their text, in file order among rejected rows', async () => {
    const good = (n: number) => JSON.stringify(sampleRows(n + 1, 0, 7)[n])
    const lines = [good(0), '{"order_id": ', good(1), '[1,2]', JSON.stringify({ order_id: 'bad' }), '', good(2)]
    const file = await run(new TextEncoder().encode(lines.join('\n')), 'orders/c.ndjson')
    // the blank line is not a record
    expect(file).toMatchObject({ rowsIn: 6, rowsOut: 3, rowsRejected: 3 })
    const lines_ = quarantined(file)
    expect(lines_.map((line) => line.row_number)).toEqual([2, 4, 5])
    expect(lines_[0]).toEqual({
      row_number: 2,
      raw: '{"order_id": ',
      errors: [{ instancePath: '', keyword: 'read', message: expect.stringMatching(/^line 2: invalid JSON/) }],
    })
    expect(lines_[1]).toMatchObject({ raw: '[1,2]', errors: [{ keyword: 'read' }] })
    expect(lines_[2]!.row).toEqual({ order_id: 'bad' })
    expect(file.firstErrors[0]).toMatchObject({ row: 2, keyword: 'read' })
    const written = await readParquetRows(file.output)
    expect(written.rows).toHaveLength(3)
  })

  it('reads a ragged CSV with a BOM, quarantining the ragged rows', async () => {
    const csv = new TextDecoder().decode(ordersCsv(sampleRows(5, 0)))
    const [header, first, second, ...rest] = csv.split('\r\n')
    const ragged = `\ufeff${[header, first, `${second},extra`, ...rest].join('\r\n')}`
    const file = await run(new TextEncoder().encode(ragged), 'orders/d.csv')
    expect(file).toMatchObject({ rowsIn: 5, rowsOut: 4, rowsRejected: 1 })
    expect(quarantined(file)[0]).toMatchObject({
      row_number: 2,
      raw: `${second},extra`,
      errors: [{ keyword: 'read', message: 'line 3: expected 9 fields, found 10' }],
    })
  })

  it('writes an empty output for a zero-row file of any format', async () => {
    for (const [key, bytes] of [
      ['orders/e.csv', new TextEncoder().encode(`${NAMES.join(',')}\n`)],
      ['orders/e.ndjson', new Uint8Array(0)],
      ['orders/e.parquet', writeParquet(ORDER_INPUT_COLUMNS, [])],
    ] as const) {
      const file = await run(bytes, key)
      expect(file, key).toMatchObject({ rowsIn: 0, rowsOut: 0, rowsRejected: 0, quarantine: undefined })
      expect((await readParquetRows(file.output)).rows, key).toEqual([])
    }
  })
})

describe('engine limits', () => {
  const rows = sampleRows(2000, 0)
  const parquet = writeParquet(ORDER_INPUT_COLUMNS, rows, { rowGroupSize: 500 })

  async function limitError(bytes: Uint8Array, key: string, limits: EngineOptions['limits']) {
    const err = await run(bytes, key, { limits }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LimitError)
    return err as LimitError
  }

  it('refuses an object over maxObjectBytes before reading it', async () => {
    const err = await limitError(parquet, 'orders/a.parquet', { maxObjectBytes: parquet.byteLength - 1 })
    expect(err.message).toBe(
      `the object is ${parquet.byteLength} bytes, over the ${parquet.byteLength - 1}-byte limit (limit work.limits.maxObjectBytes, env FERRY_MAX_OBJECT_BYTES)`,
    )
    expect(err).toMatchObject({ code: 'FERRY_LIMIT', retryable: false, context: { limit: 'maxObjectBytes' } })
    await expect(
      run(parquet, 'orders/a.parquet', { limits: { maxObjectBytes: parquet.byteLength } }),
    ).resolves.toBeDefined()
  })

  it('refuses more rows than maxRowsPerFile: Parquet from its footer, text as it reads', async () => {
    const fromFooter = await limitError(parquet, 'orders/a.parquet', { maxRowsPerFile: 1999 })
    expect(fromFooter.message).toMatch(
      /^the file has 2000 rows, over the 1999-row limit \(limit work\.limits\.maxRowsPerFile, env FERRY_MAX_ROWS_PER_FILE\)$/,
    )
    const text = await limitError(ordersNdjson(rows), 'orders/a.ndjson', { maxRowsPerFile: 1999 })
    expect(text.message).toContain('more than 1999 records')
    await expect(run(ordersCsv(rows), 'orders/a.csv', { limits: { maxRowsPerFile: 2000 } })).resolves.toMatchObject({
      rowsIn: 2000,
    })
  })

  it('refuses a row over maxRowBytes in every format, naming the row', async () => {
    const big = rows.map((row, index) => (index === 1234 ? { ...row, note: 'x'.repeat(5000) } : row))
    const bigParquet = writeParquet(ORDER_INPUT_COLUMNS, big, { rowGroupSize: 500 })
    const fromParquet = await limitError(bigParquet, 'orders/a.parquet', { maxRowBytes: 4096 })
    expect(fromParquet.message).toMatch(
      /^row 1235 holds about \d+ bytes of values, over the 4096-byte limit \(limit work\.limits\.maxRowBytes, env FERRY_MAX_ROW_BYTES\)$/,
    )
    const fromCsv = await limitError(ordersCsv(big), 'orders/a.csv', { maxRowBytes: 4096 })
    expect(fromCsv.message).toMatch(
      /^CSV record at line 1236 is longer than 4096 bytes \(limit work\.limits\.maxRowBytes, env FERRY_MAX_ROW_BYTES\)$/,
    )
    const fromNdjson = await limitError(ordersNdjson(big), 'orders/a.ndjson', { maxRowBytes: 4096 })
    expect(fromNdjson.message).toMatch(/^NDJSON line 1235 is longer than 4096 bytes \(limit work\.limits\.maxRowBytes/)
    // the same files pass under a limit above their widest row
    await expect(run(bigParquet, 'orders/a.parquet', { limits: { maxRowBytes: 8192 } })).resolves.toMatchObject({
      rowsIn: 2000,
    })
  })

  it('stops a gzip bomb at maxDecompressedBytes', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20))
    const err = await limitError(bomb, 'orders/bomb.csv.gz', { maxDecompressedBytes: 8 * 1024 * 1024 })
    expect(err.message).toMatch(
      /8388608-byte decompression limit \(limit work\.limits\.maxDecompressedBytes, env FERRY_MAX_DECOMPRESSED_BYTES\)$/,
    )
  })

  it('stops a file past fileTimeoutMs between batches with FERRY_TIMEOUT', async () => {
    const err = await run(parquet, 'orders/a.parquet', { limits: { fileTimeoutMs: 0 } }).catch((e: unknown) => e)
    expect(err).toMatchObject({ code: 'FERRY_TIMEOUT', retryable: false, context: { limit: 'fileTimeoutMs' } })
    expect((err as Error).message).toMatch(
      /^processing stopped after 0 ms: .*\(limit work\.limits\.fileTimeoutMs, env FERRY_FILE_TIMEOUT_MS\)$/,
    )
  })
})
