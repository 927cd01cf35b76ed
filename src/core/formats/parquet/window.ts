import type { AsyncBuffer, ColumnMetaData, RowGroup } from 'hyparquet'
import type { RangeReader } from './io.js'

/** A row group's column chunks are fetched in one request unless they are larger than this. */
const MAX_WINDOW_BYTES = 64 * 1024 * 1024
/**
 * The next window is fetched while the current one is decoded unless it is larger than this: memory
 * then holds two windows, the one being decoded and the one on its way.
 */
const MAX_READ_AHEAD_BYTES = 16 * 1024 * 1024

/** hyparquet decodes from ArrayBuffers; a view onto a larger buffer is copied out. */
function ownArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  const { buffer } = bytes
  if (buffer instanceof ArrayBuffer && bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength) return buffer
  const copy = new Uint8Array(bytes.byteLength)
  copy.set(bytes)
  return copy.buffer
}

/** Byte range of a column chunk (its dictionary page, if any, comes first). */
export function chunkRange(meta: ColumnMetaData): [number, number] {
  // some writers store 0 for "no dictionary", as in checkLayout
  const start = Number(meta.dictionary_page_offset || meta.data_page_offset)
  return [start, start + Number(meta.total_compressed_size)]
}

/** Byte range of all of a row group's column chunks. */
export function groupRange(group: RowGroup): [number, number] {
  let start = Number.POSITIVE_INFINITY
  let end = 0
  for (const chunk of group.columns) {
    const [first, last] = chunkRange(chunk.meta_data!)
    start = Math.min(start, first)
    end = Math.max(end, last)
  }
  return [start, end]
}

/**
 * A RangeReader with one loaded window (a row group's column chunks), so that a row group costs one
 * request, not one per column, and, told which window comes next, with that one on its way while the
 * current one is decoded, so that the next row group does not wait for the reader. Doubles as
 * hyparquet's file interface.
 */
export class WindowedFile implements AsyncBuffer {
  readonly byteLength: number
  private readonly reader: RangeReader
  private window: { start: number; bytes: Uint8Array } | undefined
  /** the window asked for ahead of its `load` */
  private ahead: { start: number; end: number; bytes: Promise<Uint8Array> } | undefined

  constructor(reader: RangeReader) {
    this.reader = reader
    this.byteLength = reader.size
  }

  /**
   * Fetches `[start, end)` as the window, unless it is too large to hold (then reads go to the reader),
   * and starts fetching `next`, the window of the following `load`, if given and not too large. A
   * read ahead that fails fails that `load`; one never loaded is dropped.
   */
  async load(start: number, end: number, next?: readonly [number, number]): Promise<void> {
    this.window = undefined
    const ahead = this.ahead
    this.ahead = undefined
    let bytes: Promise<Uint8Array> | undefined
    if (start < end && end - start <= MAX_WINDOW_BYTES) {
      bytes = ahead && ahead.start === start && ahead.end === end ? ahead.bytes : this.reader.read(start, end)
    }
    if (next && next[0] < next[1] && next[1] - next[0] <= MAX_READ_AHEAD_BYTES) {
      const [nextStart, nextEnd] = next
      const coming = this.reader.read(nextStart, nextEnd)
      // awaited by the next load; until then, or if that never comes, a failure is not unhandled
      coming.catch(() => undefined)
      this.ahead = { start: nextStart, end: nextEnd, bytes: coming }
    }
    if (bytes) this.window = { start, bytes: await bytes }
  }

  /** Bytes `[start, end)`: a view of the window when it holds them, else read. */
  async bytes(start: number, end: number): Promise<Uint8Array> {
    const window = this.window
    if (window && start >= window.start && end <= window.start + window.bytes.byteLength) {
      return window.bytes.subarray(start - window.start, end - window.start)
    }
    return this.reader.read(start, end)
  }

  async slice(start: number, end = this.byteLength): Promise<ArrayBuffer> {
    return ownArrayBuffer(await this.bytes(start, end))
  }
}
