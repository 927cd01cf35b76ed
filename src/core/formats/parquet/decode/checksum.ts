/**
 * Page checksums: a page header may carry a CRC-32 (zlib's polynomial) of the page's bytes as stored,
 * i.e. the `compressed_page_size` bytes after the header. The CRC is computed only for pages that
 * carry one, so files without them (Ferry's own among them) cost nothing more.
 */
import { crc32 } from 'node:zlib'
import type { PageHeader } from 'hyparquet'
import { parquetHeader } from 'hyparquet/src/column.js'
import { FormatError } from '../../../../errors.js'

/** Where a column chunk is, for messages. */
export interface ChunkPlace {
  rowGroup: number
  /** the chunk's first byte in the file */
  start: number
  /** the leaf's dotted path, when it is not the top-level column the reader names */
  leaf?: string
}

function hex(crc: number): string {
  return `0x${crc.toString(16).padStart(8, '0')}`
}

/**
 * Throws FormatError when the header has a CRC and `page` (its stored bytes) does not match it.
 * `at` is where the page's header starts in the chunk.
 */
export function checkPage(header: PageHeader, page: Uint8Array, place: ChunkPlace, at: number): void {
  if (header.crc === undefined) return
  // stored as a signed i32
  const stored = header.crc >>> 0
  const actual = crc32(page)
  if (actual === stored) return
  const leaf = place.leaf === undefined ? '' : `leaf ${place.leaf}, `
  throw new FormatError(
    `page checksum mismatch in ${leaf}row group ${place.rowGroup}, ${header.type} at byte ${place.start + at}: ` +
      `header says ${hex(stored)}, data has ${hex(actual)}`,
  )
}

/**
 * Checks the CRC of every page of a column chunk, for the chunks hyparquet decodes (its reader does
 * not check them). A header that does not parse ends the walk: the damage is left to hyparquet's read.
 */
export function checkChunk(chunk: Uint8Array, place: ChunkPlace): void {
  const reader = { view: new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength), offset: 0 }
  while (reader.offset < chunk.length) {
    const at = reader.offset
    let header: PageHeader
    try {
      header = parquetHeader(reader)
    } catch {
      return
    }
    const size = header.compressed_page_size
    if (!Number.isSafeInteger(size) || size < 0 || reader.offset + size > chunk.length) return
    checkPage(header, chunk.subarray(reader.offset, reader.offset + size), place, at)
    reader.offset += size
  }
}
