/**
 * Output compression as configuration and dataset.yaml name it (`output.compression`, a dataset's
 * `compression:`), and the Parquet codec each name writes. Kept apart from codec.ts so that validating
 * a name does not load the compressors.
 */
import type { WriteCodec } from './codec.js'

export const OUTPUT_COMPRESSIONS = ['zstd', 'snappy', 'gzip', 'none'] as const

export type OutputCompression = (typeof OUTPUT_COMPRESSIONS)[number]

const CODECS: Readonly<Record<OutputCompression, WriteCodec>> = {
  zstd: 'ZSTD',
  snappy: 'SNAPPY',
  gzip: 'GZIP',
  none: 'UNCOMPRESSED',
}

/**
 * ZSTD by measurement on orders-shaped output (README "Output compression", bench/engine.ts): files
 * about half the size of SNAPPY's, and Ferry's pages compress faster with it than with its own snappy.
 */
export const DEFAULT_COMPRESSION: OutputCompression = 'zstd'

export const DEFAULT_CODEC: WriteCodec = CODECS[DEFAULT_COMPRESSION]

export function codecOf(compression: OutputCompression): WriteCodec {
  return CODECS[compression]
}
