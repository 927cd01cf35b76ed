/**
 * The byte-level I/O the streaming engine needs, kept as small as the formats use it: ranged reads of
 * a source of known size, and an append-only sink. Format-neutral; it lives beside Parquet because
 * Parquet is the first format read and written through it.
 */

/**
 * Random-access bytes of known size: a local file, an object store with ranged GETs, memory. Unlike
 * the text formats' sequential byte streams (compression.ts), Parquet needs its footer before its data.
 */
export interface RangeReader {
  readonly size: number
  /** bytes `[start, end)`; callers never ask beyond `size` */
  read(start: number, end: number): Promise<Uint8Array>
}

/** Where encoded output goes, in order. `close` may return the whole content (memory sinks do). */
export interface ByteSink {
  write(chunk: Uint8Array): Promise<void>
  close(): Promise<Uint8Array | undefined>
}

/** A source over bytes already in memory. */
export function bytesReader(bytes: Uint8Array): RangeReader {
  return {
    size: bytes.byteLength,
    read: async (start, end) => bytes.subarray(start, end),
  }
}

/** A sink that keeps what is written and returns it, concatenated, from `close`. */
export function memorySink(): ByteSink {
  const chunks: Uint8Array[] = []
  let byteLength = 0
  return {
    async write(chunk) {
      chunks.push(chunk)
      byteLength += chunk.byteLength
    },
    async close() {
      const out = new Uint8Array(byteLength)
      let at = 0
      for (const chunk of chunks) {
        out.set(chunk, at)
        at += chunk.byteLength
      }
      chunks.length = 0
      byteLength = 0
      return out
    },
  }
}
