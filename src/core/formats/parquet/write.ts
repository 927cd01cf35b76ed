import type { OutputColumn, Row } from '../columns.js'
import type { WriteCodec } from './encode/codec.js'
import { type EncoderOptions, ParquetEncoder } from './encode/file.js'
import type { ByteSink } from './io.js'

export type { WriteCodec } from './encode/codec.js'

export interface WriteOptions {
  /** rows per row group; default 100,000 */
  rowGroupSize?: number
  /** default SNAPPY */
  codec?: WriteCodec
}

const DEFAULT_ROW_GROUP_ROWS = 100_000

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.byteLength
  }
  return out
}

/**
 * Writes rows as a Parquet file (snappy unless told otherwise) with exactly the given typed columns
 * (any other row properties are ignored). Zero rows give a valid file with the schema and no row
 * groups. Throws FerryError FERRY_INTERNAL when a value does not fit its column: strings must be
 * strings, int64 takes safe integers, bigints or decimal strings, timestamps take RFC 3339 strings or
 * Dates, dates take `YYYY-MM-DD` strings or Dates.
 */
export function writeParquet(
  columns: readonly OutputColumn[],
  rows: readonly Row[],
  options: WriteOptions = {},
): Uint8Array {
  const encoder = new ParquetEncoder(columns, { codec: options.codec })
  const groupRows = options.rowGroupSize ?? DEFAULT_ROW_GROUP_ROWS
  const parts = [encoder.start()]
  for (let start = 0; start < rows.length; start += groupRows) {
    const group = rows.slice(start, start + groupRows)
    const values = columns.map((column) => group.map((row) => row[column.name]))
    parts.push(encoder.rowGroup(values, group.length))
  }
  parts.push(encoder.finish())
  return concat(parts)
}

/**
 * Streams a Parquet file to a sink, one row group per `write`: only the encoded bytes of the row group
 * being written are held, never earlier rows. Call `finish` once to write the footer; closing the sink
 * is left to its owner.
 */
export class ParquetStreamWriter {
  private readonly encoder: ParquetEncoder
  private readonly sink: ByteSink
  /** the file header, written with the first row group so that a file failing early writes nothing */
  private header: Uint8Array | undefined

  constructor(columns: readonly OutputColumn[], sink: ByteSink, options: EncoderOptions = {}) {
    this.encoder = new ParquetEncoder(columns, options)
    this.sink = sink
    this.header = this.encoder.start()
  }

  get rowCount(): number {
    return this.encoder.rowCount
  }

  /**
   * Encodes `length` rows of the columns (constructor order) as one row group: those at `rows`
   * (indexes into each column), or the first `length`.
   */
  async write(values: readonly ArrayLike<unknown>[], length: number, rows?: Int32Array): Promise<void> {
    if (length === 0) return
    const bytes = this.encoder.rowGroup(values, length, rows)
    await this.begin()
    await this.sink.write(bytes)
  }

  /** Writes the footer: the file is complete. */
  async finish(): Promise<void> {
    await this.begin()
    await this.sink.write(this.encoder.finish())
  }

  private async begin(): Promise<void> {
    if (!this.header) return
    const header = this.header
    this.header = undefined
    await this.sink.write(header)
  }
}
