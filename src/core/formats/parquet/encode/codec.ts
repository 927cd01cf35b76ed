import { constants, gzipSync } from 'node:zlib'
import { snappyCompress } from './snappy.js'
import { zstdCompress } from './zstd.js'

/**
 * Codecs Ferry writes: ZSTD (the default, see compression.ts) is the smallest and, here, the
 * fastest; SNAPPY is what the oldest readers expect; GZIP trades CPU for size.
 */
export type WriteCodec = 'UNCOMPRESSED' | 'SNAPPY' | 'GZIP' | 'ZSTD'

/** Compresses one page. The result never aliases `page`, which the caller reuses for the next page. */
export function compressPage(codec: WriteCodec, page: Uint8Array): Uint8Array {
  switch (codec) {
    case 'UNCOMPRESSED':
      return page.slice()
    case 'SNAPPY':
      return snappyCompress(page)
    case 'GZIP':
      // zlib's fastest level: native, and still smaller than snappy on typical string columns
      return gzipSync(page, { level: constants.Z_BEST_SPEED })
    case 'ZSTD':
      return zstdCompress(page)
  }
}
