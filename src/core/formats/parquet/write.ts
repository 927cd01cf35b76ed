import type { OutputColumn, Row } from '../columns.js'
import type { WriteCodec } from './encode/codec.js'
import { type EncoderOptions, ParquetEncoder } from './encode/file.js'
import type { ByteSink } from './io.js'

export type { WriteCodec } from './encode/codec.js'

export interface WriteOptions {
  /** rows per row group; default 100,000 */
  rowGroupSize?: number
  /** default ZSTD (encode/compression.ts) */
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
 * Writes rows as a Parquet file (ZSTD unless told otherwise) with exactly the given typed columns
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
    encoder.append(
      columns.map((column) => group.map((row) => row[column.name])),
      group.length,
    )
    parts.push(encoder.flushRowGroup())
  }
  parts.push(encoder.finish())
  return concat(parts)
}

export interface StreamWriterOptions extends EncoderOptions {
  /** a row group is written once it holds at least this many rows; default 100,000 */
  rowGroupRows?: number
}

/**
 * Streams a Parquet file to a sink: batches of rows are encoded as they come and gathered, as encoded
 * pages, into row groups of `rowGroupRows`; each complete row group is one sink write. Neither rows
 * nor values are held between batches. Call `finish` once to write the rest and the footer; closing
 * the sink is left to its owner.
 */
export class ParquetStreamWriter {
  private readonly encoder: ParquetEncoder
  private readonly sink: ByteSink
  private readonly rowGroupRows: number
  /** the file header, written with the first row group so that a file failing early writes nothing */
  private header: Uint8Array | undefined

  constructor(columns: readonly OutputColumn[], sink: ByteSink, options: StreamWriterOptions = {}) {
    this.encoder = new ParquetEncoder(columns, options)
    this.sink = sink
    this.rowGroupRows = options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS
    this.header = this.encoder.start()
  }

  /**
   * Adds `length` rows of the columns (constructor order): those at `rows` (indexes into each
   * column), or the first `length`. Throws like `ParquetEncoder.append`.
   */
  async write(values: readonly ArrayLike<unknown>[], length: number, rows?: Int32Array): Promise<void> {
    this.encoder.append(values, length, rows)
    if (this.encoder.pendingRows < this.rowGroupRows) return
    await this.emit(this.encoder.flushRowGroup())
  }

  /** Writes the last row group and the footer: the file is complete. */
  async finish(): Promise<void> {
    await this.emit(this.encoder.finish())
  }

  private async emit(bytes: Uint8Array): Promise<void> {
    if (this.header) {
      const header = this.header
      this.header = undefined
      await this.sink.write(header)
    }
    await this.sink.write(bytes)
  }
}
