/**
 * Page checksums (the optional CRC-32 in a page header) are checked by both decoders: files with
 * valid CRCs from apache/parquet-testing read as before, damaged copies are rejected by name.
 */
import { readFileSync } from 'node:fs'
import { crc32 } from 'node:zlib'
import { parquetMetadata } from 'hyparquet'
import { parquetHeader } from 'hyparquet/src/column.js'
import { describe, expect, it } from 'vitest'
import { bytesReader, openParquet } from '../../../src/core/formats/parquet.js'
import { FormatError } from '../../../src/errors.js'

const REPO = new URL('../../../', import.meta.url)
const CORPUS = new URL('../shared/parquet-testing/data/', REPO)
const FIXTURES = new URL('test/fixtures/parquet/', REPO)
const DECODERS = ['fast', 'hyparquet'] as const

const PLAIN_DICT = 'plain-dict-uncompressed-checksum.parquet'
const RLE_DICT = 'rle-dict-snappy-checksum.parquet'

function corpusFile(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, CORPUS)))
}

interface Page {
  column: string
  type: string
  /** where the header starts, and where the page's stored bytes start and end */
  at: number
  start: number
  end: number
  crc: number | undefined
}

/** Every page of the file, walked from each column chunk's first page as the footer places it. */
function pages(bytes: Uint8Array): Page[] {
  const buffer = bytes.slice().buffer
  const found: Page[] = []
  for (const group of parquetMetadata(buffer).row_groups) {
    for (const { meta_data: meta } of group.columns) {
      const first = Number(meta!.dictionary_page_offset || meta!.data_page_offset)
      const reader = { view: new DataView(buffer), offset: first }
      while (reader.offset < first + Number(meta!.total_compressed_size)) {
        const at = reader.offset
        const header = parquetHeader(reader)
        const start = reader.offset
        reader.offset += header.compressed_page_size
        found.push({
          column: meta!.path_in_schema.join('.'),
          type: header.type,
          at,
          start,
          end: reader.offset,
          crc: header.crc,
        })
      }
    }
  }
  return found
}

function page(bytes: Uint8Array, column: string, type: string): Page {
  const match = pages(bytes).find((candidate) => candidate.column === column && candidate.type === type)
  if (!match) throw new Error(`no ${type} in column ${column}`)
  return match
}

/** Where the header's CRC (thrift field 4, an i32 as a zigzag varint, after field 3) starts. */
function crcOffset(bytes: Uint8Array, target: Page): number {
  let zigzag = ((target.crc! << 1) ^ (target.crc! >> 31)) >>> 0
  const field = [0x15]
  for (; zigzag >= 0x80; zigzag >>>= 7) field.push((zigzag & 0x7f) | 0x80)
  field.push(zigzag)
  const header = Array.from(bytes.subarray(target.at, target.start))
  const found = header.findIndex((_, i) => field.every((byte, j) => header[i + j] === byte))
  if (found < 0) throw new Error('CRC field not found in the page header')
  return target.at + found + 1
}

function hex(crc: number): string {
  return `0x${(crc >>> 0).toString(16).padStart(8, '0')}`
}

/** Each column's values, read with one decoder. */
async function readColumns(bytes: Uint8Array, decoder: 'fast' | 'hyparquet'): Promise<Record<string, unknown[]>> {
  const input = await openParquet(bytesReader(bytes))
  const columns: Record<string, unknown[]> = {}
  for await (const batch of input.batches({ decoder })) {
    for (const [name, values] of Object.entries(batch.columns)) {
      columns[name] = [...(columns[name] ?? []), ...Array.from(values)]
    }
  }
  return columns
}

async function readError(bytes: Uint8Array, decoder: 'fast' | 'hyparquet'): Promise<Error> {
  const err = await readColumns(bytes, decoder).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(FormatError)
  return err as Error
}

describe('Parquet page checksums', () => {
  describe.each(DECODERS)('with the %s decoder', (decoder) => {
    it.each([
      [PLAIN_DICT, 'a655fd0e-9949-4059-bcae-fd6a002a4652'],
      [RLE_DICT, 'c95e263a-f5d4-401f-8107-5ca7146a1f98'],
    ])('reads %s, whose pages carry valid CRCs', async (name, text) => {
      const bytes = corpusFile(name)
      expect(pages(bytes).filter((p) => p.crc !== undefined).length).toBeGreaterThan(0)
      const columns = await readColumns(bytes, decoder)
      expect(Object.keys(columns)).toEqual(['long_field', 'binary_field'])
      expect(columns.long_field).toEqual(Array.from({ length: 1000 }, () => 0n))
      expect(columns.binary_field).toEqual(Array.from({ length: 1000 }, () => text))
    })

    it('rejects a data page whose bytes no longer match its CRC', async () => {
      const bytes = corpusFile(PLAIN_DICT)
      const target = page(bytes, 'long_field', 'DATA_PAGE')
      expect(target.crc).toBeDefined()
      const middle = (target.start + target.end) >> 1
      bytes[middle]! ^= 0x04
      const actual = crc32(bytes.subarray(target.start, target.end))
      const err = await readError(bytes, decoder)
      expect(err.message).toBe(
        'corrupt Parquet data in rows 0-999: column long_field: page checksum mismatch in row group 0, ' +
          `page 1 (DATA_PAGE at byte ${target.at}): header says ${hex(target.crc!)}, data has ${hex(actual)}`,
      )
    })

    it('rejects a dictionary page whose stored CRC was changed', async () => {
      const bytes = corpusFile(RLE_DICT)
      const target = page(bytes, 'binary_field', 'DICTIONARY_PAGE')
      const intact = crc32(bytes.subarray(target.start, target.end))
      expect(target.crc! >>> 0).toBe(intact)
      // flipping a low bit of the first byte of the CRC's varint changes its value, not its length
      bytes[crcOffset(bytes, target)]! ^= 0x02
      const changed = page(bytes, 'binary_field', 'DICTIONARY_PAGE')
      expect(changed.crc).not.toBe(target.crc)
      expect(bytes.subarray(target.start, target.end)).toEqual(corpusFile(RLE_DICT).subarray(target.start, target.end))
      const err = await readError(bytes, decoder)
      expect(err.message).toContain('column binary_field: page checksum mismatch')
      expect(err.message).toContain(
        `page 0 (DICTIONARY_PAGE at byte ${target.at}): header says ${hex(changed.crc!)}, data has ${hex(intact)}`,
      )
    })

    it('reads pages without a CRC beside pages with one', async () => {
      const bytes = corpusFile(RLE_DICT)
      expect(pages(bytes).map((p) => [p.type, p.crc === undefined])).toEqual([
        ['DICTIONARY_PAGE', false],
        ['DATA_PAGE_V2', true],
        ['DICTIONARY_PAGE', false],
        ['DATA_PAGE_V2', true],
      ])
      const columns = await readColumns(bytes, decoder)
      expect(columns.long_field).toHaveLength(1000)
      expect(columns.binary_field).toHaveLength(1000)
    })

    it('rejects test/fixtures/parquet/checksum-mismatch.parquet', async () => {
      const err = await readError(new Uint8Array(readFileSync(new URL('checksum-mismatch.parquet', FIXTURES))), decoder)
      expect(err.message).toMatch(
        /^corrupt Parquet data in rows 0-999: column long_field: page checksum mismatch in row group 0, page 1 \(DATA_PAGE at byte 31\): header says 0x[0-9a-f]{8}, data has 0x[0-9a-f]{8}$/,
      )
    })
  })

  it('keeps the fixture a one-byte change to a data page of the corpus file', () => {
    const original = corpusFile(PLAIN_DICT)
    const fixture = new Uint8Array(readFileSync(new URL('checksum-mismatch.parquet', FIXTURES)))
    expect(fixture.length).toBe(original.length)
    const changed = [...fixture.keys()].filter((i) => fixture[i] !== original[i])
    const target = page(original, 'long_field', 'DATA_PAGE')
    expect(changed).toHaveLength(1)
    expect(changed[0]).toBeGreaterThanOrEqual(target.start)
    expect(changed[0]).toBeLessThan(target.end)
  })
})
