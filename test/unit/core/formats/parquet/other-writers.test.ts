/**
 * Valid files of another writer, read through every check the reader makes: DuckDB's, under every
 * codec it writes, with version 1 and version 2 pages (which bring delta and byte-stream-split
 * encodings), dictionaries, nulls, all-null columns, lists (empty ones too), structs and maps. Both
 * decoders must read them alike, and the values of plain and list columns as DuckDB reads them.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { jsonValue } from '../../../../../src/core/formats/parquet/values.js'
import { bytesReader, openParquet } from '../../../../../src/core/formats/parquet.js'

const ROWS = `SELECT
    CASE WHEN i % 7 = 0 THEN NULL ELSE i::INTEGER END AS n,
    i::BIGINT * 1000003 AS big,
    CASE WHEN i % 3 = 0 THEN NULL ELSE 'v' || (i % 50) END AS s,
    i % 2 = 0 AS b,
    (i / 7.0)::FLOAT AS f,
    DATE '2020-01-01' + (i % 400)::INTEGER AS day,
    TIMESTAMP '2020-01-01' + INTERVAL (i) SECOND AS ts,
    (i * 1.25)::DECIMAL(12, 2) AS dec,
    CASE WHEN i % 11 = 0 THEN [] WHEN i % 13 = 0 THEN NULL ELSE [i::INTEGER, NULL, (i + 1)::INTEGER] END AS l,
    {'a': i, 'b': CASE WHEN i % 2 = 0 THEN NULL ELSE 's' || i END} AS st,
    MAP {'k': i} AS m,
    NULL::INTEGER AS nothing
  FROM range(0, 2000) t(i)`

let dir: string
let duck: DuckDBConnection

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferry-other-writers-'))
  duck = await (await DuckDBInstance.create(':memory:')).connect()
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function readAll(bytes: Uint8Array, decoder: 'fast' | 'hyparquet'): Promise<Record<string, unknown[]>> {
  const input = await openParquet(bytesReader(bytes), { limits: { maxPageBytes: 64 * 1024 ** 2 } })
  const columns: Record<string, unknown[]> = {}
  for await (const batch of input.batches({ decoder })) {
    for (const [name, values] of Object.entries(batch.columns)) {
      columns[name] = [...(columns[name] ?? []), ...Array.from(values, jsonValue)]
    }
  }
  return columns
}

describe('files DuckDB writes', () => {
  for (const codec of ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'ZSTD', 'BROTLI', 'LZ4']) {
    for (const version of ['V1', 'V2']) {
      it(`reads ${codec} with ${version} pages, both decoders alike and as DuckDB does`, async () => {
        const path = join(dir, `${codec}-${version}.parquet`)
        await duck.run(
          `COPY (${ROWS}) TO '${path}' (FORMAT parquet, COMPRESSION ${codec}, ROW_GROUP_SIZE 700, PARQUET_VERSION ${version})`,
        )
        const bytes = new Uint8Array(readFileSync(path))
        const fast = await readAll(bytes, 'fast')
        expect(await readAll(bytes, 'hyparquet')).toEqual(fast)
        const expected = (await duck.runAndReadAll(`SELECT n, s, l, nothing FROM '${path}'`)).getRowObjectsJson()
        for (const name of ['n', 's', 'l', 'nothing']) {
          expect(fast[name], name).toEqual(expected.map((row) => row[name]))
        }
        expect(fast.l!.filter((list) => Array.isArray(list) && list.length === 0)).toHaveLength(182)
      })
    }
  }
})
