/**
 * Page checksums: a page header may carry a CRC-32 (zlib's polynomial) of the page's bytes as stored,
 * i.e. the `compressed_page_size` bytes after the header. The CRC is computed only for pages that
 * carry one, so files without them (Ferry's own among them) cost nothing more.
 */
import { crc32 } from 'node:zlib'
import type { PageHeader } from 'hyparquet'
import { type PagePlace, pageError } from './place.js'

function hex(crc: number): string {
  return `0x${crc.toString(16).padStart(8, '0')}`
}

/** Throws FormatError when the header has a CRC and `page` (its stored bytes) does not match it. */
export function checkPage(header: PageHeader, page: Uint8Array, place: PagePlace): void {
  if (header.crc === undefined) return
  // stored as a signed i32
  const stored = header.crc >>> 0
  const actual = crc32(page)
  if (actual === stored) return
  throw pageError(place, 'page checksum mismatch', `header says ${hex(stored)}, data has ${hex(actual)}`)
}
