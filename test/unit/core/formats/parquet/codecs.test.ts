/**
 * Page decompression (src/core/formats/parquet/codecs.ts): exactly the declared size or CodecError,
 * never a page padded with zeros, never an allocation on the word of the compressed bytes alone.
 */
import type { CompressionCodec } from 'hyparquet'
import { describe, expect, it } from 'vitest'
import { CodecError, decompress } from '../../../../../src/core/formats/parquet/codecs.js'
import { seededRandom } from '../../../../../src/core/sample-orders.js'
import { compress } from './craft.js'

const CODECS: CompressionCodec[] = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI', 'ZSTD', 'LZ4', 'LZ4_RAW']

/** 200 KB of text-like bytes: compressible, and over one ZSTD block (128 KiB). */
function page(): Uint8Array {
  const random = seededRandom(5)
  return Uint8Array.from({ length: 200_000 }, () => 97 + Math.floor(random() * random() * 26))
}

/** Byte-for-byte equality, without a deep comparison of 200,000 elements. */
const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.length).equals(b)

describe('decompress', () => {
  it.each(CODECS)('restores %s pages exactly, and an empty body as an empty page', (codec) => {
    const bytes = page()
    expect(same(decompress(compress(codec, bytes), bytes.length, codec), bytes)).toBe(true)
    expect(decompress(new Uint8Array(0), 0, codec)).toHaveLength(0)
  })

  it.each(CODECS)('refuses %s data that holds fewer or more bytes than the page declares', (codec) => {
    const bytes = page()
    const stored = compress(codec, bytes)
    for (const declared of [bytes.length - 1, bytes.length + 1]) {
      expect(() => decompress(stored, declared, codec)).toThrow(CodecError)
    }
  })

  it('refuses a ZSTD frame that ends after its first block, which fzstd pads with zeros', () => {
    const bytes = page()
    const stored = compress('ZSTD', bytes)
    // the frame header: magic, flags, then (not single-segment) a window byte, and the content size
    const flags = stored[4]!
    const single = (flags >> 5) & 1
    const at = 5 + (single ? 0 : 1) + [0, 1, 2, 4][flags & 3]! + (flags >> 6 ? 1 << (flags >> 6) : single)
    const header = stored[at]! | (stored[at + 1]! << 8) | (stored[at + 2]! << 16)
    const cut = stored.slice(0, at + 3 + (header >>> 3))
    cut[at]! |= 1 // the first block is now the last
    expect(() => decompress(cut, bytes.length, 'ZSTD')).toThrow(
      /^ZSTD data does not decompress: libzstd refuses a frame/,
    )
  })

  it('refuses an LZ4 block that stops short, where the package decoder left zeros', () => {
    const bytes = page()
    const stored = compress('LZ4_RAW', bytes)
    expect(() => decompress(stored.subarray(0, stored.length - 10), bytes.length, 'LZ4_RAW')).toThrow(
      /^LZ4_RAW data does not decompress: literals run past the end of the block$/,
    )
  })

  it('refuses SNAPPY data whose own header disagrees with the page, before allocating the page', () => {
    const stored = compress('SNAPPY', page())
    const before = process.memoryUsage().arrayBuffers
    expect(() => decompress(stored, 2 ** 31 - 1, 'SNAPPY')).toThrow(
      'SNAPPY data does not decompress: the SNAPPY data holds 200000 bytes, the page declares 2147483647',
    )
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(64 * 1024 ** 2)
  })

  it('names a GZIP page that inflates past its declared size', () => {
    const stored = compress('GZIP', page())
    expect(() => decompress(stored, 1000, 'GZIP')).toThrow(
      'GZIP data does not decompress: it holds more than the 1000 bytes declared',
    )
  })
})
