/**
 * Every file of the shared apache/parquet-testing subset (../shared/parquet-testing beside the repo,
 * see its README) must be read correctly, checked against the upstream descriptions and expect
 * files, or be rejected with a typed error naming the problem. Never a raw TypeError, never a hang.
 *
 * Files are read in a worker thread: a hyparquet hang is a synchronous loop, which would block this
 * thread and with it vitest's own test timeout. The watchdog (parquet/isolated.ts) terminates the worker and
 * fails the file with a clear message.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import type { Row } from '../../../../src/core/dataset.js'
import { readCsv } from '../../../../src/core/formats/csv.js'
import { IsolatedReader } from './parquet/isolated.js'

const REPO = new URL('../../../../', import.meta.url)
const CORPUS = fileURLToPath(new URL('../shared/parquet-testing/data/', REPO))
const WATCHDOG_MS = 30_000

// ---------------------------------------------------------------------------------------------
// What each file must give

/** Column lists written as one line: 'a b c' → ['a', 'b', 'c']. */
const words = (text: string) => text.split(' ')

type Expectation =
  | { rows: number; columns: string[]; check?: (rows: Row[]) => void | Promise<void> }
  | { rejects: 'UnsupportedError' | 'FormatError'; feature?: string }

const ALLTYPES = words(
  'id bool_col tinyint_col smallint_col int_col bigint_col float_col double_col date_string_col string_col timestamp_col',
)

/** An `*_expect.csv` from the corpus as rows of strings; empty cells (nulls) are left out, as in Parquet rows. */
async function expectCsv(name: string): Promise<Row[]> {
  const rows: Row[] = []
  for await (const batch of readCsv(readFileSync(`${CORPUS}${name}`))) {
    expect(batch.rowErrors, `${name} should parse`).toBeUndefined()
    rows.push(...batch.rows)
  }
  return rows
}

/** Row values as the text the expect CSVs hold (INT64 beyond 2^53 already arrives as a decimal string). */
function asText(row: Row): Row {
  return Object.fromEntries(Object.entries(row).map(([key, value]) => [key, String(value)]))
}

const oneToTwentyFour = (rows: Row[]) =>
  expect(rows.map((row) => row.value)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1))

const EXPECTED: Record<string, Expectation> = {
  'alltypes_plain.parquet': {
    rows: 8,
    columns: ALLTYPES,
    check: (rows) => {
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
      expect(rows[7]).toMatchObject({
        id: 1,
        bigint_col: 10,
        double_col: 10.1,
        timestamp_col: '2009-01-01T00:01:00.000000000Z',
      })
    },
  },
  'alltypes_plain.snappy.parquet': {
    rows: 2,
    columns: ALLTYPES,
    check: (rows) =>
      expect(rows.map((row) => [row.id, row.bool_col, row.date_string_col, row.timestamp_col])).toEqual([
        [6, true, '04/01/09', '2009-04-01T00:00:00.000000000Z'],
        [7, false, '04/01/09', '2009-04-01T00:01:00.000000000Z'],
      ]),
  },
  'alltypes_dictionary.parquet': {
    rows: 2,
    columns: ALLTYPES,
    check: (rows) =>
      expect(rows.map((row) => [row.id, row.bool_col, row.bigint_col, row.string_col, row.timestamp_col])).toEqual([
        [0, true, 0, '0', '2009-01-01T00:00:00.000000000Z'],
        [1, false, 10, '1', '2009-01-01T00:01:00.000000000Z'],
      ]),
  },
  // unannotated BYTE_ARRAY reads as text: the bytes 0x00..0x0b
  'binary.parquet': {
    rows: 12,
    columns: ['foo'],
    check: (rows) =>
      expect(rows.map((row) => row.foo)).toEqual(Array.from({ length: 12 }, (_, i) => String.fromCharCode(i))),
  },
  'byte_array_decimal.parquet': { rows: 24, columns: ['value'], check: oneToTwentyFour },
  'fixed_length_decimal.parquet': { rows: 24, columns: ['value'], check: oneToTwentyFour },
  'int32_decimal.parquet': { rows: 24, columns: ['value'], check: oneToTwentyFour },
  'int64_decimal.parquet': { rows: 24, columns: ['value'], check: oneToTwentyFour },
  // "optional STRING column" with bloom filters, page indexes and encoding stats, gzip-compressed
  'data_index_bloom_encoding_stats.parquet': {
    rows: 14,
    columns: ['String'],
    check: (rows) =>
      expect(rows.map((row) => row.String)).toEqual([
        'Hello',
        'This is',
        'a',
        'test',
        'How',
        'are you',
        'doing ',
        'today',
        'the quick',
        'brown fox',
        'jumps',
        'over',
        'the lazy',
        'dog',
      ]),
  },
  'datapage_v2.snappy.parquet': {
    rows: 5,
    columns: ['a', 'b', 'c', 'd', 'e'],
    check: (rows) =>
      expect(rows).toEqual([
        { a: 'abc', b: 1, c: 2, d: true, e: [1, 2, 3] },
        { a: 'abc', b: 2, c: 3, d: true },
        { a: 'abc', b: 3, c: 4, d: true },
        { b: 4, c: 5, d: false, e: [1, 2, 3] },
        { a: 'abc', b: 5, c: 2, d: true, e: [1, 2] },
      ]),
  },
  'delta_binary_packed.parquet': {
    rows: 200,
    columns: [...Array.from({ length: 65 }, (_, i) => `bitwidth${i}`), 'int_value'],
    check: async (rows) => expect(rows.map(asText)).toEqual(await expectCsv('delta_binary_packed_expect.csv')),
  },
  'delta_byte_array.parquet': {
    rows: 1000,
    columns: words(
      'c_customer_id c_salutation c_first_name c_last_name c_preferred_cust_flag c_birth_country c_login c_email_address c_last_review_date',
    ),
    check: async (rows) => expect(rows).toEqual(await expectCsv('delta_byte_array_expect.csv')),
  },
  // ZSTD-compressed: read through hyparquet-compressors
  'delta_length_byte_array.parquet': {
    rows: 1000,
    columns: ['FRUIT'],
    check: (rows) =>
      expect(rows.map((row) => row.FRUIT)).toEqual(
        Array.from({ length: 1000 }, (_, i) => `apple_banana_mango${i * i}`),
      ),
  },
  // int96_from_spark.md: microseconds 1704141296123456, 1704070800000000, 253402225200000000,
  // 1735599600000000, null, 9089380393200000000. Spark stored the last one with int64 overflow: day
  // -105862232 and a negative nanosecond word, which only Spark's wrapping arithmetic turns back
  // into year 290000. hyparquet loses that day, so the file is refused rather than misread (the first
  // five values are checked in parquet-reference-files.test.ts through the row decoder).
  'int96_from_spark.parquet': { rejects: 'UnsupportedError', feature: 'parquet-int96-overflow' },
  'list_columns.parquet': {
    rows: 3,
    columns: ['int64_list', 'utf8_list'],
    check: (rows) =>
      expect(rows).toEqual([
        { int64_list: [1, 2, 3], utf8_list: ['abc', 'efg', 'hij'] },
        { int64_list: [null, 1] },
        { int64_list: [4], utf8_list: ['efg', null, 'hij', 'xyz'] },
      ]),
  },
  // LZ4_RAW-compressed: read through hyparquet-compressors
  'lz4_raw_compressed.parquet': {
    rows: 4,
    columns: ['c0', 'c1', 'v11'],
    check: (rows) =>
      expect(rows).toEqual([
        { c0: 1593604800, c1: 'abc', v11: 42 },
        { c0: 1593604800, c1: 'def', v11: 7.7 },
        { c0: 1593604801, c1: 'abc', v11: 42.125 },
        { c0: 1593604801, c1: 'def', v11: 7.7 },
      ]),
  },
  // ZSTD-compressed nested structs (ARROW-11452)
  'nested_structs.rust.parquet': {
    rows: 1,
    columns: words(
      'roll_num PC_CUR CVA_2012 CVA_2016 BIA_3 BIA_4 ACTUAL_FRONTAGE ACTUAL_DEPTH ACTUAL_LOT_SIZE GLA SOURCE_GLA IPS_GLA GLA_ALL bia EFFECTIVE_LOT_SIZE effective_lot_area EFFECTIVE_FRONTAGE EFFECTIVE_DEPTH rw_area_tot effective_lot_sqft dup nonCTXT vacantland parkingbillboard cvalte10 condootherhotel calculated_lot_size calculated_efflot_size missingsite missinggla missingsitegla actual_lot_size_sqft lotsize_sqft count ul_observation_date ul_tz_offset_minutes_ul_observation_date',
    ),
    check: (rows) => {
      expect(rows[0]!.roll_num).toEqual({
        min: 190406409000602,
        max: 190407175004000,
        mean: 190406671229999,
        count: 495,
        sum: '94251302258849568',
        variance: 0,
      })
      expect(rows[0]!.PC_CUR).toMatchObject({ min: 115, max: 742, count: 495, sum: 206195 })
      expect(rows[0]!.ul_observation_date).toMatchObject({ min: '+052951-07-27T10:00:00.000000Z', count: 495 })
    },
  },
  'nullable.impala.parquet': {
    rows: 7,
    columns: ['id', 'int_array', 'int_array_Array', 'int_map', 'int_Map_Array', 'nested_struct'],
    check: (rows) => {
      expect(rows[0]).toEqual({
        id: 1,
        int_array: [1, 2, 3],
        int_array_Array: [
          [1, 2],
          [3, 4],
        ],
        int_map: { k1: 1, k2: 100 },
        int_Map_Array: [{ k1: 1 }],
        nested_struct: {
          A: 1,
          b: [1],
          C: {
            d: [
              [
                { E: 10, F: 'aaa' },
                { E: -10, F: 'bbb' },
              ],
              [{ E: 11, F: 'c' }],
            ],
          },
          g: { foo: { H: { i: [1.1] } } },
        },
      })
      expect(rows[1]).toMatchObject({
        int_array: [null, 1, 2, null, 3, null],
        int_array_Array: [[null, 1, 2, null], [3, null, 4], [], null],
        int_map: { k1: 2, k2: null },
        int_Map_Array: [{ k3: null, k1: 1 }, null, {}],
      })
      expect(rows[3]).toEqual({
        id: 4,
        int_array_Array: [],
        int_map: {},
        int_Map_Array: [],
        nested_struct: { A: null, b: null, C: { d: null }, g: null },
      })
      expect(rows[5]).toEqual({ id: 6 })
      expect(rows[6]).toEqual({
        id: 7,
        int_array_Array: [null, [5, 6]],
        int_map: { k1: null, k3: null },
        nested_struct: { A: 7, b: [2, 3, null], C: { d: [[], [null], null] }, g: null },
      })
    },
  },
  // an optional struct whose only field is null in every row
  'nulls.snappy.parquet': {
    rows: 8,
    columns: ['b_struct'],
    check: (rows) => expect(rows).toEqual(Array.from({ length: 8 }, () => ({ b_struct: { b_c_int: null } }))),
  },
  'plain-dict-uncompressed-checksum.parquet': {
    rows: 1000,
    columns: ['long_field', 'binary_field'],
    check: (rows) =>
      expect(rows.every((r) => r.long_field === 0 && r.binary_field === 'a655fd0e-9949-4059-bcae-fd6a002a4652')).toBe(
        true,
      ),
  },
  'rle-dict-snappy-checksum.parquet': {
    rows: 1000,
    columns: ['long_field', 'binary_field'],
    check: (rows) =>
      expect(rows.every((r) => r.long_field === 0 && r.binary_field === 'c95e263a-f5d4-401f-8107-5ca7146a1f98')).toBe(
        true,
      ),
  },
  // optional booleans, RLE-encoded, gzip-compressed: 62 present, 36 of them true
  'rle_boolean_encoding.parquet': {
    rows: 68,
    columns: ['datatype_boolean'],
    check: (rows) => {
      expect(rows.filter((row) => 'datatype_boolean' in row)).toHaveLength(62)
      expect(rows.filter((row) => row.datatype_boolean === true)).toHaveLength(36)
      expect(rows[0]).toEqual({ datatype_boolean: true })
    },
  },
  // despite the name, the one value is null (footer statistics: null_count 1)
  'single_nan.parquet': { rows: 1, columns: ['mycol'], check: (rows) => expect(rows).toEqual([{}]) },
}

// ---------------------------------------------------------------------------------------------

const present = existsSync(CORPUS)
const files = present ? readdirSync(CORPUS).filter((name) => name.endsWith('.parquet')) : []
const reader = new IsolatedReader({ timeoutMs: WATCHDOG_MS })
afterAll(() => reader.close())

describe('apache/parquet-testing corpus', () => {
  it('is present beside the repository', () => {
    expect(
      present,
      `parquet-testing corpus not found at ${CORPUS}: it is expected at ../shared/parquet-testing relative to the repository root (see its README)`,
    ).toBe(true)
    expect(files.length).toBeGreaterThan(0)
  })

  it('has an expectation for every file, and every expectation a file', () => {
    expect(
      files.filter((file) => !(file in EXPECTED)),
      'corpus files without an expectation',
    ).toEqual([])
    expect(
      Object.keys(EXPECTED).filter((file) => !files.includes(file)),
      'expectations without a file',
    ).toEqual([])
  })

  for (const file of files) {
    it(file, { timeout: WATCHDOG_MS * 2 }, async () => {
      const expected = EXPECTED[file]
      const outcome = await reader.run({ kind: 'rows', bytes: new Uint8Array(readFileSync(`${CORPUS}${file}`)) })
      if (outcome.kind === 'hung') {
        expect.fail(`${file}: no result within ${WATCHDOG_MS / 1000} s; the reader hangs on it (worker terminated)`)
      }
      if (outcome.kind === 'crashed') expect.fail(`${file}: the reader worker crashed: ${outcome.message}`)
      if (outcome.kind === 'threw') {
        const typed = outcome.code === 'FERRY_FORMAT' || outcome.code === 'FERRY_UNSUPPORTED'
        expect(typed, `${file}: untyped ${outcome.name}: ${outcome.message}\n${outcome.stack}`).toBe(true)
        expect(
          expected && 'rejects' in expected,
          `${file} should read but threw ${outcome.name}: ${outcome.message}`,
        ).toBe(true)
      }
      if (!expected) return // reported by the test above
      if ('rejects' in expected) {
        expect(outcome).toMatchObject({ kind: 'threw', name: expected.rejects })
        if (expected.feature) expect(outcome).toMatchObject({ feature: expected.feature })
        return
      }
      if (outcome.kind !== 'read') return
      expect(outcome.columns).toEqual(expected.columns)
      const rows = outcome.rows as Row[]
      expect(rows).toHaveLength(expected.rows)
      await expected.check?.(rows)
    })
  }
})
