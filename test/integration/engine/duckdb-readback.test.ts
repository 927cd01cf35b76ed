/**
 * DuckDB as the oracle for the files the engine writes: another implementation must read back the
 * same row counts, column types and values that Ferry's own reader sees.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { processFile } from '../../../src/core/engine.js'
import type { OutputColumn, Row } from '../../../src/core/formats/columns.js'
import { readParquetRows, writeParquet } from '../../../src/core/formats/parquet.js'
import { generateSampleNight } from '../../../src/core/sample-night.js'
import { ORDER_INPUT_COLUMNS, orderRows, seededRandom } from '../../../src/core/sample-orders.js'
import { rowValidator } from '../../../src/core/validate.js'
import { orders, transformOrder } from '../../support/datasets.js'

let dir: string
let instance: DuckDBInstance
let duck: DuckDBConnection

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-duckdb-'))
  instance = await DuckDBInstance.create(':memory:')
  duck = await instance.connect()
  await duck.run("SET TimeZone = 'UTC'")
})

afterAll(async () => {
  duck?.closeSync()
  instance?.closeSync()
  await rm(dir, { recursive: true, force: true })
})

async function query(sql: string): Promise<Record<string, unknown>[]> {
  return (await duck.runAndReadAll(sql)).getRowObjectsJson()
}

async function save(name: string, bytes: Uint8Array): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, bytes)
  return path
}

/** The orders output as DuckDB reads it, in the JSON shape Ferry's reader gives. */
async function duckdbOrders(path: string): Promise<Row[]> {
  const rows = await query(`
    SELECT order_id, customer_id,
      strftime(ordered_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS ordered_at,
      strftime(order_date, '%Y-%m-%d') AS order_date,
      strftime(shipped_at, '%Y-%m-%dT%H:%M:%S.%gZ') AS shipped_at,
      amount, amount_cents, currency, country, quantity, note
    FROM read_parquet('${path}')`)
  return rows.map((row) =>
    Object.fromEntries(
      Object.entries(row)
        .filter(([, value]) => value !== null)
        .map(([key, value]) => [key, key === 'amount_cents' ? Number(value) : value]),
    ),
  )
}

const ORDER_TYPES = {
  order_id: 'VARCHAR',
  customer_id: 'VARCHAR',
  ordered_at: 'TIMESTAMP WITH TIME ZONE',
  order_date: 'DATE',
  shipped_at: 'TIMESTAMP WITH TIME ZONE',
  amount: 'DOUBLE',
  amount_cents: 'BIGINT',
  currency: 'VARCHAR',
  country: 'VARCHAR',
  quantity: 'INTEGER',
  note: 'VARCHAR',
}

describe('engine output read back by DuckDB', () => {
  it('holds, for every file of a sample night, the rows, types and values of the orders transform', async () => {
    const validate = rowValidator(orders)
    const night = generateSampleNight({ date: '2026-11-23', files: 8 }).files.filter((file) => !file.expect.corrupt)
    for (const file of night) {
      const result = await processFile(file.bytes, orders)
      const path = await save(file.key.replaceAll('/', '_'), result.output)
      const [count] = await query(`SELECT count(*)::INTEGER AS n FROM read_parquet('${path}')`)
      expect(count!.n, file.key).toBe(result.rowsOut)
      expect(result.rowsOut, file.key).toBe(file.expect.rows - file.expect.invalidRows)
      const types = await query(`DESCRIBE SELECT * FROM read_parquet('${path}')`)
      expect(Object.fromEntries(types.map((row) => [row.column_name, row.column_type])), file.key).toEqual(ORDER_TYPES)

      const { rows } = await readParquetRows(file.bytes)
      const expected = rows
        .filter((row) => validate(row).valid)
        .map((row) => Object.fromEntries(Object.entries(transformOrder(row)).filter(([, value]) => value !== null)))
      expect(await duckdbOrders(path), file.key).toEqual(expected)
    }
  }, 120_000)

  it('reads a multi-row-group output whole: counts, sums and distinct values agree', async () => {
    const rows = orderRows(seededRandom(17), {
      count: 150_000,
      from: Date.UTC(2026, 10, 23),
      to: Date.UTC(2026, 10, 24),
      firstOrderNumber: 20_000_000,
    })
    const result = await processFile(writeParquet(ORDER_INPUT_COLUMNS, rows, { rowGroupSize: 40_000 }), orders)
    const path = await save('big.parquet', result.output)
    const [summary] = await query(`
      SELECT count(*)::INTEGER AS n, sum(amount_cents)::BIGINT AS cents, count(note)::INTEGER AS notes,
        count(DISTINCT order_id)::INTEGER AS ids, count(DISTINCT country)::INTEGER AS countries
      FROM read_parquet('${path}')`)
    const cents = rows.reduce((sum, row) => sum + Math.round(Number(((row.amount as number) * 100).toPrecision(15))), 0)
    const notes = rows.filter((row) => typeof row.note === 'string' && row.note.trim() !== '').length
    expect(summary).toEqual({
      n: 150_000,
      cents: String(cents),
      notes,
      ids: 150_000,
      countries: new Set(rows.map((row) => (row.country as string).toUpperCase())).size,
    })
    const [groups] = await query(`SELECT count(DISTINCT row_group_id)::INTEGER AS n FROM parquet_metadata('${path}')`)
    expect(groups!.n).toBeGreaterThan(1)
  })

  it('reads every column type, extremes, nulls and Unicode as written', async () => {
    const columns: OutputColumn[] = [
      { name: 's', type: 'string' },
      { name: 'i32', type: 'int32' },
      { name: 'i64', type: 'int64' },
      { name: 'f64', type: 'double' },
      { name: 'b', type: 'boolean' },
      { name: 'ts_us', type: 'timestamp', unit: 'us' },
      { name: 'd', type: 'date', nullable: false },
    ]
    // written in the very form the query below gives back, so what was written is what must be read
    const written = [
      {
        s: 'ünïcødé ✓ 注文 😀',
        i32: -2147483648,
        i64: '-9223372036854775808',
        f64: -1e308,
        b: true,
        ts_us: '0001-01-01T00:00:00.000001Z',
        d: '0001-01-01',
      },
      {
        s: '',
        i32: 2147483647,
        i64: '9223372036854775807',
        f64: 5e-324,
        b: false,
        ts_us: '2026-11-23T10:15:30.123456Z',
        d: '9999-12-31',
      },
      { s: null, i32: null, i64: null, f64: null, b: null, ts_us: null, d: '2000-02-29' },
    ]
    const path = await save('types.parquet', writeParquet(columns, written))
    const rows = await query(`
      SELECT s, i32, i64::VARCHAR AS i64, f64, b, strftime(ts_us, '%Y-%m-%dT%H:%M:%S.%fZ') AS ts_us,
        strftime(d, '%Y-%m-%d') AS d
      FROM read_parquet('${path}')`)
    expect(rows).toEqual(written)
  })
})
