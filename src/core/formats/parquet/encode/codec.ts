import { constants, gzipSync } from 'node:zlib'
import { snappyCompress } from './snappy.js'

/** Codecs Ferry writes: SNAPPY is what every reader expects; GZIP trades CPU for smaller files. */
export type WriteCodec = 'UNCOMPRESSED' | 'SNAPPY' | 'GZIP'

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
  }
}
