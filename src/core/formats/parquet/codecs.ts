/**
 * Page decompression for both decoders (Ferry's and hyparquet, which calls these through its
 * `compressors` option). Every codec must produce exactly the page's declared size, and none may
 * allocate more than that on the word of the compressed bytes: the declared size is what the page
 * limits check before a page is decompressed (see decode/budget.ts).
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { init as initZstd, decompress as zstdDecompress } from '@bokuweb/zstd-wasm'
import type { CompressionCodec, Compressors } from 'hyparquet'
import { compressors } from 'hyparquet-compressors'
import { lz4Hadoop, lz4Raw } from './lz4.js'

type Decompress = (input: Uint8Array, outputLength: number) => Uint8Array

// once per process or worker thread; decompression is then synchronous, like the other codecs
await initZstd()

function u32(input: Uint8Array, at: number): number {
  return (input[at]! | (input[at + 1]! << 8) | (input[at + 2]! << 16)) + input[at + 3]! * 2 ** 24
}

/**
 * The ZSTD frames of a page (skippable frames left out): where each is, and the size its header
 * declares, if it does. Throws when a header or block runs past the end of the page.
 */
function zstdFrames(input: Uint8Array): Array<{ start: number; end: number; size: number | undefined }> {
  const frames: Array<{ start: number; end: number; size: number | undefined }> = []
  let at = 0
  while (at < input.length) {
    if (at + 8 > input.length) throw new Error('a ZSTD frame header runs past the end of the page')
    const magic = u32(input, at)
    if (magic >>> 4 === 0x184d2a5) {
      at += 8 + u32(input, at + 4)
      continue
    }
    if (magic !== 0xfd2fb528) throw new Error('not a ZSTD frame (bad magic)')
    const flags = input[at + 4]!
    const single = (flags >> 5) & 1
    const sizeBytes = flags >> 6 ? 1 << (flags >> 6) : single
    let p = at + 5 + (single ? 0 : 1) + [0, 1, 2, 4][flags & 3]!
    let size = 0
    for (let i = 0; i < sizeBytes; i++) size += (input[p + i] ?? 0) * 2 ** (8 * i)
    if (sizeBytes === 2) size += 256
    p += sizeBytes
    // the blocks, to find where the frame ends
    for (let last = 0; !last; ) {
      if (p + 3 > input.length) throw new Error('a ZSTD block header runs past the end of the page')
      const header = input[p]! | (input[p + 1]! << 8) | (input[p + 2]! << 16)
      last = header & 1
      p += 3 + (((header >> 1) & 3) === 1 ? 1 : header >>> 3)
    }
    const end = p + ((flags >> 2) & 1 ? 4 : 0)
    if (end > input.length) throw new Error('a ZSTD frame runs past the end of the page')
    frames.push({ start: at, end, size: sizeBytes ? size : undefined })
    at = end
  }
  return frames
}

/** The ZSTD_ErrorCode values damaged pages bring (zstd_errors.h). */
const ZSTD_ERRORS: Record<number, string> = {
  10: 'unknown frame prefix',
  14: 'frame parameter unsupported',
  16: 'window too large',
  20: 'corrupted data',
  22: 'checksum mismatch',
  70: 'more data than the page declares',
  72: 'the frame ends early',
}

/**
 * libzstd (WebAssembly), frame by frame: fzstd, hyparquet-compressors' decoder, fills a frame's
 * declared size with zeros when its blocks end early. libzstd allocates what a frame declares, so
 * no frame may declare more than the page has left.
 */
function unzstd(input: Uint8Array, outputLength: number): Uint8Array {
  const parts: Uint8Array[] = []
  let written = 0
  for (const { start, end, size } of zstdFrames(input)) {
    const room = outputLength - written
    if (size !== undefined && size > room)
      throw new Error(`a ZSTD frame declares ${size} bytes, the page has ${room} left`)
    let frame: Uint8Array
    try {
      frame = zstdDecompress(input.subarray(start, end), { defaultHeapSize: Math.max(1, room) })
    } catch (err) {
      // the binding's message reads "Failed to compress with code -N", N a ZSTD_ErrorCode
      const code = Number(/-?(\d+)$/.exec(err instanceof Error ? err.message : '')?.[1])
      throw new Error(`libzstd refuses a frame (${ZSTD_ERRORS[code] ?? `error ${code}`})`, { cause: err })
    }
    if (frame.length > room) throw new Error('the ZSTD frames hold more than the page declares')
    parts.push(frame)
    written += frame.length
  }
  if (parts.length === 1) return parts[0]!
  const output = new Uint8Array(written)
  for (let i = 0, at = 0; i < parts.length; at += parts[i]!.length, i++) output.set(parts[i]!, at)
  return output
}

function snappyLength(input: Uint8Array): number {
  let length = 0
  for (let i = 0; i < 5 && i < input.length; i++) {
    length += (input[i]! & 0x7f) * 2 ** (7 * i)
    if (input[i]! < 0x80) return length
  }
  throw new Error('invalid SNAPPY length header')
}

// hysnappy's WASM, about 3.5x hyparquet's own JS snappy decoder
const snappy = compressors.SNAPPY!

const CODECS: Record<string, Decompress> = {
  SNAPPY: (input, outputLength) => {
    // hysnappy fills a buffer of the size it is given, whatever the data's own header says
    const declared = snappyLength(input)
    if (declared !== outputLength)
      throw new Error(`the SNAPPY data holds ${declared} bytes, the page declares ${outputLength}`)
    return snappy(input, outputLength)
  },
  // Node's zlib is 4-10x faster than the package's JS ports, and stops at the declared size
  // (zlib refuses a cap of 0)
  GZIP: (input, outputLength) => gunzipSync(input, { maxOutputLength: Math.max(1, outputLength) }),
  BROTLI: (input, outputLength) => brotliDecompressSync(input, { maxOutputLength: Math.max(1, outputLength) }),
  ZSTD: unzstd,
  LZ4: lz4Hadoop,
  LZ4_RAW: lz4Raw,
}

/** Thrown by `decompress`: the message says why, in the codec's terms. */
export class CodecError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options)
    this.name = 'CodecError'
  }
}

/** A codec's own words, but not a JavaScript engine's (a typed array or WebAssembly trap on damaged data). */
function reason(err: unknown, outputLength: number): string {
  if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
    return `it holds more than the ${outputLength} bytes declared`
  if (err instanceof TypeError || err instanceof RangeError || (err instanceof Error && err.name === 'RuntimeError')) {
    return 'the compressed data is damaged'
  }
  return err instanceof Error ? err.message : String(err)
}

/**
 * Exactly `outputLength` bytes from `input` in `codec`. An empty input is an empty page, whatever
 * the codec (some writers store the empty values section of an all-null page as no bytes at all).
 * Throws CodecError.
 */
export function decompress(input: Uint8Array, outputLength: number, codec: CompressionCodec): Uint8Array {
  if (codec === 'UNCOMPRESSED' || (input.length === 0 && outputLength === 0)) {
    if (input.length !== outputLength) {
      throw new CodecError(`the page stores ${input.length} bytes but declares ${outputLength} uncompressed`)
    }
    return input
  }
  const codecFn = CODECS[codec]
  if (!codecFn) throw new CodecError(`no decoder for ${codec}`)
  let output: Uint8Array
  try {
    output = codecFn(input, outputLength)
  } catch (err) {
    throw new CodecError(`${codec} data does not decompress: ${reason(err, outputLength)}`, { cause: err })
  }
  if (output.length !== outputLength) {
    throw new CodecError(`${codec} data decompresses to ${output.length} bytes, the page declares ${outputLength}`)
  }
  return output
}

/** Every codec of the Parquet spec but LZO, which has no JavaScript decoder. */
export const READABLE_CODECS: ReadonlySet<string> = new Set(['UNCOMPRESSED', ...Object.keys(CODECS)])

/** `decompress` in the shape hyparquet's `compressors` option takes. */
export const COMPRESSORS: Compressors = Object.fromEntries(
  Object.keys(CODECS).map((codec) => [
    codec,
    (input: Uint8Array, outputLength: number) => decompress(input, outputLength, codec as CompressionCodec),
  ]),
)
