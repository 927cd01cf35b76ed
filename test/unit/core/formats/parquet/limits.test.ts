/**
 * The page limits: what a page declares uncompressed is held to `maxPageBytes`, and all pages of a
 * file together (with what a gzipped file inflated to) to `maxDecompressedBytes`, before anything
 * of the page is decompressed, so a small file claiming gigabytes costs no memory.
 */
import { gzipSync } from 'node:zlib'
import type { SchemaElement } from 'hyparquet'
import { describe, expect, it } from 'vitest'
import { processFile } from '../../../../../src/core/engine.js'
import { bytesReader, openParquet } from '../../../../../src/core/formats/parquet.js'
import { FormatError, LimitError } from '../../../../../src/errors.js'
import { orders } from '../../../../support/datasets.js'
import { type CraftPage, craftParquet, plainInt32, v1Page } from './craft.js'

const SCHEMA: SchemaElement[] = [
  { name: 'root', num_children: 1 },
  { name: 'n', type: 'INT32', repetition_type: 'REQUIRED' },
]
const GIB = 1024 ** 3

/** A file of one INT32 column whose pages are `pages`, `rows` rows in all. */
function file(pages: CraftPage[], rows: number, codec: 'UNCOMPRESSED' | 'GZIP' | 'SNAPPY' = 'UNCOMPRESSED') {
  return craftParquet(SCHEMA, [{ rows, columns: [{ path: ['n'], type: 'INT32', codec, pages }] }])
}

/** A page of `values` zeros, compressed with GZIP: a few hundred bytes for a megabyte. */
function zeros(values: number): CraftPage {
  return v1Page({ values, data: new Uint8Array(values * 4), codec: 'GZIP' })
}

/** A page whose header claims `bytes` uncompressed over a body of a few bytes. */
function claiming(bytes: number, codec: 'SNAPPY' | 'UNCOMPRESSED'): CraftPage {
  const page = v1Page({ values: 1, data: plainInt32([7]), codec })
  return { ...page, header: { ...(page.header as object), uncompressed_page_size: bytes } as CraftPage['header'] }
}

async function drain(bytes: Uint8Array, options: Parameters<typeof openParquet>[1], decoder: 'fast' | 'hyparquet') {
  const input = await openParquet(bytesReader(bytes), options)
  for await (const _ of input.batches({ decoder })) {
    // reading is the test
  }
}

describe('page limits', () => {
  it('refuses a page declaring 2 GiB before allocating it, with either decoder', async () => {
    const bytes = file([claiming(2 * GIB - 1, 'UNCOMPRESSED')], 1)
    for (const decoder of ['fast', 'hyparquet'] as const) {
      const before = process.memoryUsage().arrayBuffers
      const err = await drain(bytes, { limits: { maxPageBytes: 256 * 1024 ** 2 } }, decoder).catch((e: unknown) => e)
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 ** 2)
      expect(err).toBeInstanceOf(LimitError)
      expect(err).toMatchObject({
        code: 'FERRY_LIMIT',
        message:
          'column n, row group 0, page 0 (DATA_PAGE at byte 4) declares 2147483647 bytes uncompressed, over the ' +
          '268435456-byte page limit (limit work.limits.maxPageBytes, env FERRY_MAX_PAGE_BYTES)',
        context: { limit: 'maxPageBytes', pageBytes: 2147483647 },
      })
    }
  })

  it('refuses such a page as damaged without limits, and without allocating it', async () => {
    for (const codec of ['SNAPPY', 'UNCOMPRESSED'] as const) {
      const before = process.memoryUsage().arrayBuffers
      const err = await drain(file([claiming(2 * GIB - 1, codec)], 1, codec), {}, 'fast').catch((e: unknown) => e)
      expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 ** 2)
      expect(err).toBeInstanceOf(FormatError)
      expect((err as Error).message).toMatch(
        /page does not decompress in row group 0, page 0 \(DATA_PAGE at byte 4\): .*2147483647/,
      )
    }
  })

  it('counts every page of a file against maxDecompressedBytes, once', async () => {
    const mib = 256 * 1024
    const bytes = file([zeros(mib), zeros(mib), zeros(mib), zeros(mib)], 4 * mib, 'GZIP')
    for (const decoder of ['fast', 'hyparquet'] as const) {
      await expect(drain(bytes, { limits: { maxDecompressedBytes: 4 * 1024 ** 2 } }, decoder)).resolves.toBeUndefined()
      const err = await drain(bytes, { limits: { maxDecompressedBytes: 3 * 1024 ** 2 } }, decoder).catch(
        (e: unknown) => e,
      )
      expect(err).toMatchObject({ code: 'FERRY_LIMIT', context: { limit: 'maxDecompressedBytes' } })
      expect((err as Error).message).toMatch(
        /^the file's pages declare 4194304 bytes uncompressed by column n, row group 0, page 3 \(DATA_PAGE at byte \d+\), over the 3145728-byte limit \(limit work\.limits\.maxDecompressedBytes, env FERRY_MAX_DECOMPRESSED_BYTES\)$/,
      )
    }
  })

  it('refuses a page of more values than the page limit could hold decoded', async () => {
    // 40 million nulls cost a few bytes of RLE, and 320 MB as decoded levels
    const header = {
      ...(v1Page({ values: 0, data: new Uint8Array(0) }).header as object),
      data_page_header: {
        num_values: 40_000_000,
        encoding: 'PLAIN',
        definition_level_encoding: 'RLE',
        repetition_level_encoding: 'RLE',
      },
    }
    const bytes = file([{ header: header as CraftPage['header'], stored: new Uint8Array(0) }], 40_000_000)
    const err = await drain(bytes, { limits: { maxPageBytes: 256 * 1024 ** 2 } }, 'fast').catch((e: unknown) => e)
    expect((err as Error).message).toMatch(
      /declares 40000000 values, at least 320000000 bytes decoded, over the 268435456-byte page limit/,
    )
  })
})

describe('the engine', () => {
  it('applies its limits to the pages of a Parquet file, naming the setting', async () => {
    const bytes = file([claiming(2 * GIB - 1, 'UNCOMPRESSED')], 1)
    const err = await processFile(bytes, orders, { limits: { maxPageBytes: 1024 ** 2 } }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LimitError)
    expect((err as Error).message).toMatch(
      /over the 1048576-byte page limit \(limit work\.limits\.maxPageBytes, env FERRY_MAX_PAGE_BYTES\)$/,
    )
  })

  it('counts what a gzipped Parquet file inflated to and what its pages declare together', async () => {
    const mib = 256 * 1024
    const parquet = file([zeros(mib), zeros(mib)], 2 * mib, 'GZIP')
    const gzipped = new Uint8Array(gzipSync(parquet))
    const limit = parquet.length + 2 * 1024 ** 2 - 1
    const err = await processFile(gzipped, orders, {
      key: 'orders/a.parquet.gz',
      limits: { maxDecompressedBytes: limit },
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LimitError)
    expect((err as Error).message).toMatch(
      new RegExp(
        `^the file inflates to and its pages declare ${parquet.length + 2 * 1024 ** 2} bytes uncompressed by column n, .* over the ${limit}-byte limit`,
      ),
    )
  })
})
