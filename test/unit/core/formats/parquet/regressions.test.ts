/**
 * The fuzz suite's finds (test/fixtures/parquet/regressions, see the README there): each file hung a
 * decoder, read wrong values or failed with a JavaScript message before; now both decoders end it
 * with the same typed error naming the problem, and `ferry inspect` too when the footer is damaged.
 * Read in a worker thread, since a regression to a hang must fail the test, not stall it.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { IsolatedReader } from './isolated.js'

const FIXTURES = fileURLToPath(new URL('../../../../fixtures/parquet/regressions/', import.meta.url))
const LIMITS = { maxPageBytes: 16 * 1024 * 1024, maxDecompressedBytes: 64 * 1024 * 1024 }

/** What each file must end with: a code and the message's tail, and inspect's message when the footer is the damage. */
const EXPECTED: Record<string, { code: string; message: RegExp; inspect?: RegExp }> = {
  'v2-header-without-num-rows.parquet': {
    code: 'FERRY_FORMAT',
    message:
      /column datatype_boolean: damaged page header in row group 0, page 0 \(at byte 4\): header\.data_page_header_v2\.num_rows is missing$/,
  },
  'v2-header-without-rep-levels-length.parquet': {
    code: 'FERRY_FORMAT',
    message: /damaged page header .*: header\.data_page_header_v2\.repetition_levels_byte_length is missing$/,
  },
  'v2-header-without-num-nulls.parquet': {
    code: 'FERRY_FORMAT',
    message: /damaged page header .*: header\.data_page_header_v2\.num_nulls is missing$/,
  },
  'delta-v2-header-without-rep-levels-length.parquet': {
    code: 'FERRY_FORMAT',
    message: /column FRUIT: damaged page header .*repetition_levels_byte_length is missing$/,
  },
  'dictionary-page-declares-2gib.parquet': {
    code: 'FERRY_LIMIT',
    message:
      /^column utf8_list, row group 0, leaf utf8_list\.list\.item, page 0 \(DICTIONARY_PAGE at byte 220\) declares 2147483647 bytes uncompressed, over the 16777216-byte page limit \(limit work\.limits\.maxPageBytes, env FERRY_MAX_PAGE_BYTES\)$/,
  },
  'dictionary-page-without-its-header.parquet': {
    code: 'FERRY_FORMAT',
    message: /page 0 \(DICTIONARY_PAGE at byte 4\): a DICTIONARY_PAGE without its dictionary page header$/,
  },
  'page-header-without-encoding.parquet': {
    code: 'FERRY_FORMAT',
    message: /page 0 \(DATA_PAGE_V2 at byte 4\): its encoding is unknown$/,
  },
  'page-header-without-uncompressed-size.parquet': {
    code: 'FERRY_FORMAT',
    message: /header\.uncompressed_page_size is missing$/,
  },
  'chunk-cut-short.parquet': {
    code: 'FERRY_FORMAT',
    message:
      /column datatype_boolean: the column chunk ends after 0 of its 68 (rows|values) in row group 0 \(column chunk at byte 4\)$/,
  },
  'chunk-cut-short-mid-page.parquet': {
    code: 'FERRY_FORMAT',
    message: /page 0 \(DATA_PAGE_V2 at byte 4\): it stores 46 bytes, the column chunk has 1 left$/,
  },
  'footer-chunk-type-disagrees.parquet': {
    code: 'FERRY_FORMAT',
    message: /^corrupt Parquet footer: row group 0, column c1: the chunk holds BYTE_ARRAY, the schema says BOOLEAN$/,
  },
  'footer-schema-type-int96.parquet': {
    code: 'FERRY_FORMAT',
    message: /^corrupt Parquet footer: row group 0, column foo: the chunk holds BYTE_ARRAY, the schema says INT96$/,
  },
  'footer-field-missing.parquet': {
    code: 'FERRY_FORMAT',
    message: /^corrupt Parquet footer: metadata\.row_groups is missing$/,
    inspect: /^corrupt Parquet footer: metadata\.row_groups is missing$/,
  },
  'footer-field-wrong-thrift-type.parquet': {
    code: 'FERRY_FORMAT',
    message:
      /^corrupt Parquet footer: metadata\.row_groups\[0\]\.columns\[0\]\.meta_data\.bloom_filter_offset is an i32 where an i64 belongs$/,
    inspect: /bloom_filter_offset is an i32 where an i64 belongs$/,
  },
  'schema-children-beyond-list.parquet': {
    code: 'FERRY_FORMAT',
    message: /^corrupt Parquet footer: schema element 0 \(root\) is missing 1 of its children$/,
    inspect: /^corrupt Parquet footer: schema element 0 \(root\) is missing 1 of its children$/,
  },
}

const reader = new IsolatedReader({ timeoutMs: 10_000 })
afterAll(() => reader.close())

describe('Parquet regression fixtures', () => {
  it('has an expectation for every file, and every expectation a file', () => {
    expect(
      readdirSync(FIXTURES)
        .filter((name) => name.endsWith('.parquet'))
        .sort(),
    ).toEqual(Object.keys(EXPECTED).sort())
  })

  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(file, async () => {
      const bytes = new Uint8Array(readFileSync(`${FIXTURES}${file}`))
      for (const decoder of ['fast', 'hyparquet'] as const) {
        const outcome = await reader.run({ kind: 'scan', bytes, decoder, limits: LIMITS })
        expect(outcome, decoder).toMatchObject({
          kind: 'threw',
          code: expected.code,
          message: expect.stringMatching(expected.message),
        })
      }
      const inspected = await reader.run({ kind: 'footer', bytes })
      if (expected.inspect) {
        expect(inspected).toMatchObject({
          kind: 'threw',
          code: 'FERRY_FORMAT',
          message: expect.stringMatching(expected.inspect),
        })
      } else {
        expect(inspected.kind, 'the footer is intact').toBe('read')
      }
    })
  }
})
