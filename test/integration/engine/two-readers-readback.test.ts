/**
 * Every codec Ferry writes, read back by two readers that share no code with it (readback-readers.ts:
 * DuckDB and arrow-rs): every output column type with extremes, Unicode, NaN, infinities and signed
 * zeros, nulls, several pages and row groups, null-only and empty files, and the engine's own output,
 * compared value by value with what was written. Every page carries a CRC (test/unit/.../encode.test.ts
 * checks them; neither reader here verifies them, Ferry's own decoder does).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import packageJson from '../../../package.json' with { type: 'json' }
import { processFile } from '../../../src/core/engine.js'
import type { OutputColumn, Row } from '../../../src/core/formats/columns.js'
import { readParquetRows, type WriteCodec, writeParquet } from '../../../src/core/formats/parquet.js'
import { seededRandom } from '../../../src/core/sample-orders.js'
import { rowValidator } from '../../../src/core/validate.js'
import { orders, transformOrder } from '../../support/datasets.js'
import { sampleOrdersParquet } from '../../support/orders.js'
import { arrowRead, arrowType, duckdbRead, duckdbType, expectedRows, type ReadBack } from './readback-readers.js'

const CODECS: readonly WriteCodec[] = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'ZSTD']

let dir: string
let instance: DuckDBInstance
let duck: DuckDBConnection
let saved = 0

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-readback-'))
  instance = await DuckDBInstance.create(':memory:')
  duck = await instance.connect()
})

afterAll(async () => {
  duck?.closeSync()
  instance?.closeSync()
  await rm(dir, { recursive: true, force: true })
})

async function query(sql: string): Promise<Record<string, unknown>[]> {
  return (await duck.runAndReadAll(sql)).getRowObjectsJson()
}

/** Both readers' view of `bytes`, after checking each names every column's type as expected. */
async function readBoth(bytes: Uint8Array, columns: readonly OutputColumn[]): Promise<[string, ReadBack, ReadBack]> {
  const path = join(dir, `${saved++}.parquet`)
  await writeFile(path, bytes)
  const duckdb = await duckdbRead(duck, path, columns)
  const arrow = arrowRead(bytes, columns)
  expect(duckdb.types).toEqual(Object.fromEntries(columns.map((column) => [column.name, duckdbType(column)])))
  expect(arrow.types).toEqual(Object.fromEntries(columns.map((column) => [column.name, arrowType(column)])))
  return [path, duckdb, arrow]
}

const ALL_TYPES: OutputColumn[] = [
  { name: 's', type: 'string' },
  { name: 'i32', type: 'int32' },
  { name: 'i64', type: 'int64' },
  { name: 'f64', type: 'double' },
  { name: 'b', type: 'boolean' },
  { name: 'ts_ms', type: 'timestamp', unit: 'ms' },
  { name: 'ts_us', type: 'timestamp', unit: 'us' },
  { name: 'd', type: 'date', nullable: false },
]

const EXTREMES: Row[] = [
  {
    s: 'ünïcødé ✓ 注文 😀 \u{10FFFF}',
    i32: -2147483648,
    i64: '-9223372036854775808',
    f64: -1e308,
    b: true,
    ts_ms: '1969-12-31T23:59:59.999Z',
    ts_us: '0001-01-01T00:00:00.000001Z',
    d: '0001-01-01',
  },
  {
    s: '',
    i32: 2147483647,
    i64: '9223372036854775807',
    f64: 5e-324,
    b: false,
    ts_ms: '9999-12-31T23:59:59.999Z',
    ts_us: '2026-11-23T10:15:30.123456Z',
    d: '9999-12-31',
  },
  { s: null, i32: null, i64: null, f64: Number.NaN, b: null, ts_ms: null, ts_us: null, d: '2000-02-29' },
  { s: 'x'.repeat(5000), i32: 0, i64: 0, f64: -0, b: true, ts_ms: new Date(0), ts_us: null, d: new Date(0) },
  { s: 'tail', i32: -1, i64: Number.MAX_SAFE_INTEGER, f64: Number.POSITIVE_INFINITY, d: '1969-12-31' },
  { f64: Number.NEGATIVE_INFINITY, d: '1970-01-01' },
  { f64: 0, d: '1970-01-02' },
]

/** 30,000 rows in row groups of 12,000: dictionary and plain text over several pages, NaN and nulls. */
function manyRows(): { columns: OutputColumn[]; rows: Row[] } {
  const random = seededRandom(23)
  const columns: OutputColumn[] = [
    { name: 'code', type: 'string' },
    { name: 'text', type: 'string' },
    { name: 'n', type: 'int64', nullable: false },
    { name: 'f', type: 'double' },
    { name: 'b', type: 'boolean' },
    { name: 'at', type: 'timestamp', unit: 'us' },
    { name: 'day', type: 'date' },
    { name: 'q', type: 'int32' },
  ]
  const start = Date.UTC(2026, 10, 23)
  const rows = Array.from({ length: 30_000 }, (_, i) => ({
    code: i % 7 === 0 ? null : ['EUR', 'USD', 'GBP', 'CHF'][i % 4],
    text: `${i}:${'abcdefgh'.repeat(Math.floor(random() * 30))}`,
    n: i * 104_729,
    f: i % 11 === 0 ? Number.NaN : i % 13 === 0 ? null : (random() - 0.5) * 1e6,
    b: i % 5 === 0 ? null : random() < 0.5,
    at: i % 9 === 0 ? null : new Date(start + i * 2_880),
    day: new Date(start + (i % 3) * 86_400_000),
    q: i % 17 === 0 ? null : Math.floor(random() * 100) - 50,
  }))
  return { columns, rows }
}

describe.each(CODECS)('%s files read back by DuckDB and arrow-rs', (codec) => {
  it('hold every output column type, extremes, Unicode, NaN, infinities, signed zeros and nulls', async () => {
    const bytes = writeParquet(ALL_TYPES, EXTREMES, { codec })
    const [path, duckdb, arrow] = await readBoth(bytes, ALL_TYPES)
    const expected = expectedRows(ALL_TYPES, EXTREMES)
    expect(duckdb.rows).toEqual(expected)
    expect(arrow.rows).toEqual(expected)
    const chunks = await query(`SELECT DISTINCT compression FROM parquet_metadata('${path}')`)
    expect(chunks).toEqual([{ compression: codec }])
    const [file] = await query(`SELECT created_by FROM parquet_file_metadata('${path}')`)
    expect(file!.created_by).toBe(`ferry version ${packageJson.version}`)
    // NaN is no bound: a double column keeps the bounds of its other values, an all-NaN one has none
    const doubles: OutputColumn[] = [
      { name: 'some', type: 'double' },
      { name: 'all', type: 'double' },
    ]
    const nan = Number.NaN
    const written = [
      { some: nan, all: nan },
      { some: 2.5, all: nan },
      { some: null, all: null },
      { some: -1, all: nan },
    ]
    const [nanPath, nanDuckdb, nanArrow] = await readBoth(writeParquet(doubles, written, { codec }), doubles)
    expect(nanDuckdb.rows).toEqual(expectedRows(doubles, written))
    expect(nanArrow.rows).toEqual(expectedRows(doubles, written))
    const bounds = await query(`
      SELECT path_in_schema AS column, stats_min_value AS min, stats_max_value AS max,
        stats_null_count::INTEGER AS nulls
      FROM parquet_metadata('${nanPath}') ORDER BY column_id`)
    expect(bounds).toEqual([
      { column: 'some', min: '-1.0', max: '2.5', nulls: 1 },
      { column: 'all', min: null, max: null, nulls: 1 },
    ])
  })

  it('hold every value of many pages and row groups', async () => {
    const { columns, rows } = manyRows()
    const bytes = writeParquet(columns, rows, { codec, rowGroupSize: 12_000 })
    const [path, duckdb, arrow] = await readBoth(bytes, columns)
    const expected = expectedRows(columns, rows)
    expect(duckdb.rows).toEqual(expected)
    expect(arrow.rows).toEqual(expected)
    const [layout] = await query(`
      SELECT count(DISTINCT row_group_id)::INTEGER AS groups,
        max(total_uncompressed_size) FILTER (WHERE path_in_schema = 'text')::INTEGER AS text_bytes
      FROM parquet_metadata('${path}')`)
    expect(layout!.groups).toBe(3)
    expect(layout!.text_bytes).toBeGreaterThan(1024 * 1024) // so more than one page per text chunk
  })

  it('hold a file of nulls only, and an empty one with its schema', async () => {
    const nullable = ALL_TYPES.map((column) => ({ ...column, nullable: true }))
    const nulls = Array.from({ length: 5 }, () => ({}))
    const [path, duckdb, arrow] = await readBoth(writeParquet(nullable, nulls, { codec }), nullable)
    const expected = nulls.map(() => nullable.map(() => null))
    expect(duckdb.rows).toEqual(expected)
    expect(arrow.rows).toEqual(expected)
    const bounds = await query(`
      SELECT DISTINCT stats_null_count::INTEGER AS nulls, stats_min_value AS min, stats_max_value AS max
      FROM parquet_metadata('${path}')`)
    expect(bounds).toEqual([{ nulls: 5, min: null, max: null }])

    const [, emptyDuckdb, emptyArrow] = await readBoth(writeParquet(ALL_TYPES, [], { codec }), ALL_TYPES)
    expect(emptyDuckdb.rows).toEqual([])
    expect(emptyArrow.rows).toEqual([])
  })

  it("hold the engine's output of an orders file, row for row", async () => {
    const input = sampleOrdersParquet(6000, 2500, { defects: 12, seed: 5 })
    const result = await processFile(input, orders, { codec, rowGroupRows: 2000 })
    const validate = rowValidator(orders)
    const { rows: inputRows } = await readParquetRows(input)
    const valid = inputRows.filter((row) => validate(row).valid)
    expect(result.rowsOut).toBe(valid.length)
    expect(result.rowsOut).toBeLessThan(6000)
    const columns = orders.outputColumns
    const [path, duckdb, arrow] = await readBoth(result.output, columns)
    const expected = expectedRows(columns, valid.map(transformOrder))
    expect(duckdb.rows).toEqual(expected)
    expect(arrow.rows).toEqual(expected)
    expect(await query(`SELECT DISTINCT compression FROM parquet_metadata('${path}')`)).toEqual([
      { compression: codec },
    ])
  })
})
