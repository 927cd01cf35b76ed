import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parquetMetadata, readParquetRows } from '../../../../src/core/formats/parquet.js'

/** Files from apache/parquet-testing, written by other Parquet implementations (see the fixtures README). */
function fixture(name: string): Uint8Array {
  return readFileSync(new URL(`../../../fixtures/parquet/${name}`, import.meta.url))
}

describe('reading apache/parquet-testing files', () => {
  it('alltypes_plain.parquet: every flat type, INT96 timestamps, unannotated strings', async () => {
    const { rows, columns } = await readParquetRows(fixture('alltypes_plain.parquet'))
    expect(rows.map((row) => row.id)).toEqual([4, 5, 6, 7, 2, 3, 0, 1])
    expect(rows[0]).toEqual({
      id: 4,
      bool_col: true,
      tinyint_col: 0,
      smallint_col: 0,
      int_col: 0,
      bigint_col: 0,
      float_col: 0,
      double_col: 0,
      date_string_col: '03/01/09',
      string_col: '0',
      timestamp_col: '2009-03-01T00:00:00.000000000Z',
    })
    expect(rows[1]).toMatchObject({ bigint_col: 10, double_col: 10.1, timestamp_col: '2009-03-01T00:01:00.000000000Z' })
    expect(rows[1]!.float_col).toBeCloseTo(1.1, 6)
    expect(columns.find((column) => column.name === 'timestamp_col')).toMatchObject({ physicalType: 'INT96' })
  })

  it('alltypes_plain.snappy.parquet: the same types, snappy-compressed', async () => {
    const bytes = fixture('alltypes_plain.snappy.parquet')
    expect(parquetMetadata(bytes)).toMatchObject({ rows: 2, codecs: ['SNAPPY'] })
    const { rows } = await readParquetRows(bytes)
    expect(rows.map((row) => [row.id, row.date_string_col, row.timestamp_col])).toEqual([
      [6, '04/01/09', '2009-04-01T00:00:00.000000000Z'],
      [7, '04/01/09', '2009-04-01T00:01:00.000000000Z'],
    ])
  })

  it('alltypes_dictionary.parquet: dictionary-encoded pages', async () => {
    const { rows } = await readParquetRows(fixture('alltypes_dictionary.parquet'))
    expect(rows.map((row) => [row.id, row.bool_col, row.bigint_col, row.string_col])).toEqual([
      [0, true, 0, '0'],
      [1, false, 10, '1'],
    ])
  })

  it('datapage_v2.snappy.parquet: v2 pages, a null string and a nullable list', async () => {
    const { rows } = await readParquetRows(fixture('datapage_v2.snappy.parquet'))
    expect(rows).toEqual([
      { a: 'abc', b: 1, c: 2, d: true, e: [1, 2, 3] },
      { a: 'abc', b: 2, c: 3, d: true },
      { a: 'abc', b: 3, c: 4, d: true },
      { b: 4, c: 5, d: false, e: [1, 2, 3] },
      { a: 'abc', b: 5, c: 2, d: true, e: [1, 2] },
    ])
  })

  it('int96_from_spark.parquet: refuses the Spark-overflowed value instead of misreading its date', async () => {
    // microseconds 1704141296123456, ... and, in row 6, a value Spark wrote with int64 overflow
    await expect(readParquetRows(fixture('int96_from_spark.parquet'))).rejects.toMatchObject({
      code: 'FERRY_UNSUPPORTED',
      feature: 'parquet-int96-overflow',
    })
  })

  it('list_columns.parquet: INT64 lists become numbers, null elements stay null', async () => {
    const { rows } = await readParquetRows(fixture('list_columns.parquet'))
    expect(rows).toEqual([
      { int64_list: [1, 2, 3], utf8_list: ['abc', 'efg', 'hij'] },
      { int64_list: [null, 1] },
      { int64_list: [4], utf8_list: ['efg', null, 'hij', 'xyz'] },
    ])
  })

  it('int64_decimal.parquet: DECIMAL(10,2) as numbers', async () => {
    const bytes = fixture('int64_decimal.parquet')
    expect(parquetMetadata(bytes).columns[0]).toMatchObject({ name: 'value', logicalType: 'DECIMAL(10,2)' })
    const { rows } = await readParquetRows(bytes)
    expect(rows.map((row) => row.value)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1))
  })

  it('lz4_raw_compressed.parquet: LZ4_RAW pages (hyparquet-compressors)', async () => {
    const { rows } = await readParquetRows(fixture('lz4_raw_compressed.parquet'))
    expect(rows.map((r) => r.c0)).toEqual([1593604800, 1593604800, 1593604801, 1593604801])
    expect(rows.map((r) => r.c1)).toEqual(['abc', 'def', 'abc', 'def'])
    expect(rows.map((r) => r.v11)).toEqual([42, 7.7, 42.125, 7.7])
  })
})
