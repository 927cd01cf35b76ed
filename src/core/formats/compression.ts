/**
 * Byte-stream plumbing the readers share: gzip detection and bounded streaming gunzip, chunking of
 * whole objects, and dropping a UTF-8 byte order mark.
 */
import { constants, createGunzip } from 'node:zlib'
import { FormatError, LimitError } from '../../errors.js'

/**
 * Upper bound on what one gzip source may inflate to unless the caller sets another: far above any
 * real nightly file, far below what would exhaust a worker's memory or time (a 1 MB gzip of zeros
 * inflates to 1 GB).
 */
const DEFAULT_MAX_DECOMPRESSED_BYTES = 2 * 1024 ** 3

export interface DecompressOptions {
  /** stop with LimitError once the output passes this many bytes (default 2 GiB) */
  maxBytes?: number
  /** the input is only the start of a gzip stream: inflate what it holds instead of reporting it truncated */
  prefix?: boolean
}

/** gzip's magic number followed by deflate, the only method gzip defines. */
export function isGzip(head: Uint8Array): boolean {
  return head.length >= 3 && head[0] === 0x1f && head[1] === 0x8b && head[2] === 0x08
}

const GZIP_SUFFIX = /\.(gz|gzip)$/i

/** Whether the key names a gzip file; `orders.csv.gz` → true. */
export function hasGzipSuffix(key: string): boolean {
  return GZIP_SUFFIX.test(key)
}

/** The key without its gzip suffix, so the inner format can be told by what remains (`a.csv.gz` → `a.csv`). */
export function stripGzipSuffix(key: string): string {
  return key.replace(GZIP_SUFFIX, '')
}

/**
 * Streaming gunzip. Concatenated gzip members (what `cat a.gz b.gz` and some uploaders produce) are
 * read as one stream. Throws FormatError when the input is not gzip or is damaged or cut short, and
 * LimitError as soon as the output passes `maxBytes`; the input is then no longer pulled, so a bomb
 * costs at most `maxBytes` of inflating.
 */
export async function* gunzip(
  input: AsyncIterable<Uint8Array>,
  options: DecompressOptions = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DECOMPRESSED_BYTES
  const inflater = createGunzip(options.prefix ? { finishFlush: constants.Z_SYNC_FLUSH } : {})
  const feeding = feed(input, inflater)
  let total = 0
  try {
    for await (const chunk of inflater) {
      const bytes = chunk as Buffer
      total += bytes.byteLength
      if (total > maxBytes) {
        throw new LimitError(`gzip input inflates past the ${maxBytes}-byte decompression limit`, {
          context: { maxBytes },
        })
      }
      yield bytes
    }
  } catch (err) {
    throw asFormatError(err)
  } finally {
    inflater.destroy()
  }
  await feeding
}

/** Writes the input into the inflater with backpressure; a failure surfaces on the inflater's side. */
async function feed(input: AsyncIterable<Uint8Array>, inflater: ReturnType<typeof createGunzip>): Promise<void> {
  try {
    for await (const chunk of input) {
      if (inflater.destroyed) return
      if (!inflater.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            inflater.off('drain', done)
            inflater.off('close', done)
            resolve()
          }
          inflater.on('drain', done)
          inflater.on('close', done)
        })
      }
    }
    if (!inflater.destroyed) inflater.end()
  } catch (err) {
    inflater.destroy(err instanceof Error ? err : new Error(String(err)))
  }
}

function asFormatError(err: unknown): unknown {
  // zlib reports a stream cut short as Z_BUF_ERROR with this message
  if (err instanceof Error && err.message === 'unexpected end of file') {
    return new FormatError('truncated gzip data: the stream ends before its last member does', { cause: err })
  }
  const code = (err as NodeJS.ErrnoException | null)?.code
  if (typeof code === 'string' && code.startsWith('Z_')) {
    return new FormatError(`corrupt gzip data: ${(err as Error).message}`, { cause: err })
  }
  return err
}

/** Gathers a stream into one array, for formats that need the whole input (Parquet). */
export async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  let length = 0
  for await (const chunk of chunks) {
    parts.push(chunk)
    length += chunk.byteLength
  }
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.byteLength
  }
  return out
}

/** Readers take a whole object as ~1 MiB views (no copy), so bytes in memory and streams share one code path. */
const CHUNK_BYTES = 1024 * 1024

export type ByteSource = Uint8Array | AsyncIterable<Uint8Array>

export async function* byteChunks(input: ByteSource): AsyncGenerator<Uint8Array, void, undefined> {
  if (!(input instanceof Uint8Array)) {
    yield* input
    return
  }
  for (let offset = 0; offset < input.byteLength; offset += CHUNK_BYTES) {
    yield input.subarray(offset, Math.min(offset + CHUNK_BYTES, input.byteLength))
  }
}

const BOM = [0xef, 0xbb, 0xbf]

/** Whether the bytes agree with a UTF-8 BOM as far as they go. */
function startsLikeBom(bytes: Uint8Array): boolean {
  for (let i = 0; i < Math.min(bytes.length, BOM.length); i++) if (bytes[i] !== BOM[i]) return false
  return true
}

/** The stream without a leading UTF-8 byte order mark, however its first bytes are split into chunks. */
export async function* withoutBom(chunks: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array, void, undefined> {
  let head: Uint8Array | undefined = new Uint8Array(0)
  for await (const chunk of chunks) {
    if (head === undefined) {
      yield chunk
      continue
    }
    head = head.length === 0 ? chunk : Buffer.concat([head, chunk])
    if (head.length < BOM.length && startsLikeBom(head)) continue
    const rest: Uint8Array = startsLikeBom(head) ? head.subarray(BOM.length) : head
    head = undefined
    if (rest.length > 0) yield rest
  }
  if (head !== undefined && head.length > 0) yield head
}
