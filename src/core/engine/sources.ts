/**
 * Range readers and sinks over the places Ferry reads and writes files: object stores (through the
 * ObjectStore port's ranged `get`) and the local file system (for benchmarks and local runs).
 */
import { type FileHandle, open } from 'node:fs/promises'
import { FerryError } from '../../errors.js'
import type { ObjectStore } from '../../ports.js'
import type { ByteSink, RangeReader } from '../formats/parquet.js'

/**
 * Reads `bucket/key` (of known `size`) by byte range, one GET per call. A range that comes back short
 * means the object changed or was cut under us: FERRY_SOURCE_READ, retryable, since the next attempt
 * reads the object afresh.
 */
export function objectStoreReader(store: ObjectStore, bucket: string, key: string, size: number): RangeReader {
  return {
    size,
    async read(start, end) {
      const bytes = await store.get(bucket, key, { start, end })
      if (bytes.byteLength !== end - start) {
        throw new FerryError(
          'FERRY_SOURCE_READ',
          `${bucket}/${key}: asked for bytes ${start}-${end - 1} of ${size}, got ${bytes.byteLength} bytes; the object changed while being read`,
          { retryable: true, context: { bucket, key, start, end, size } },
        )
      }
      return bytes
    },
  }
}

/** Bytes [start, end) of an open file, fewer when the file ends first (reads may return short). */
export async function readAt(handle: FileHandle, start: number, end: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(end - start)
  let filled = 0
  while (filled < bytes.length) {
    const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, start + filled)
    if (bytesRead === 0) break
    filled += bytesRead
  }
  return bytes.subarray(0, filled)
}

/** A range reader over a local file; close it when done. */
export async function openFileReader(path: string): Promise<RangeReader & { close(): Promise<void> }> {
  const handle = await open(path, 'r')
  const { size } = await handle.stat()
  return {
    size,
    async read(start, end) {
      const bytes = await readAt(handle, start, end)
      if (bytes.length < end - start) {
        throw new FerryError('FERRY_SOURCE_READ', `${path} ended at byte ${start + bytes.length}`)
      }
      return bytes
    },
    close: () => handle.close(),
  }
}

/** A sink appending to a new local file (truncating any old one); `close` closes the file. */
export async function openFileSink(path: string): Promise<ByteSink> {
  const handle: FileHandle = await open(path, 'w')
  return {
    async write(chunk) {
      let done = 0
      while (done < chunk.byteLength) {
        const { bytesWritten } = await handle.write(chunk, done, chunk.byteLength - done)
        done += bytesWritten
      }
    },
    async close() {
      await handle.close()
      return undefined
    },
  }
}
