/**
 * Ferry's Parquet encoder for flat, typed columns: the file header, row groups gathered from batches
 * of rows, and the footer, each returned as bytes so a caller can stream them anywhere. Synchronous
 * and free of I/O.
 */
import type { ColumnChunk, ParquetType, RowGroup, SchemaElement } from 'hyparquet'
import { ByteWriter } from 'hyparquet-writer'
import { writeMetadata } from 'hyparquet-writer/src/metadata.js'
import type { OutputColumn } from '../../columns.js'
import { ByteBuffer } from './buffer.js'
import type { WriteCodec } from './codec.js'
import { ColumnChunkBuilder } from './column.js'
import { toPhysical } from './physical.js'

export interface EncoderOptions {
  /** default SNAPPY */
  codec?: WriteCodec
  /** the footer's created_by; default `ferry` */
  createdBy?: string
}

const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]) // "PAR1"

function physicalElement(
  column: OutputColumn,
): Omit<SchemaElement, 'name' | 'repetition_type'> & { type: ParquetType } {
  switch (column.type) {
    case 'string':
      return { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } }
    case 'int32':
      return { type: 'INT32' }
    case 'int64':
      return { type: 'INT64' }
    case 'double':
      return { type: 'DOUBLE' }
    case 'boolean':
      return { type: 'BOOLEAN' }
    case 'date':
      return { type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } }
    case 'timestamp': {
      const micros = column.unit === 'us'
      return {
        type: 'INT64',
        converted_type: micros ? 'TIMESTAMP_MICROS' : 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: micros ? 'MICROS' : 'MILLIS' },
      }
    }
  }
}

function concat(parts: readonly Uint8Array[], byteLength: number): Uint8Array {
  const out = new Uint8Array(byteLength)
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

export class ParquetEncoder {
  private readonly columns: readonly OutputColumn[]
  private readonly types: ParquetType[]
  private readonly schema: SchemaElement[]
  private readonly codec: WriteCodec
  private readonly createdBy: string
  private readonly rowGroups: RowGroup[] = []
  private readonly scratch = new ByteBuffer()
  /** the row group being gathered, one builder per column */
  private builders: ColumnChunkBuilder[] | undefined
  private pending = 0
  /** bytes handed out so far, i.e. the file offset of the next byte */
  private offset = 0
  private rows = 0

  constructor(columns: readonly OutputColumn[], options: EncoderOptions = {}) {
    this.columns = columns
    const elements = columns.map((column) => ({
      name: column.name,
      repetition_type: (column.nullable ?? true) ? ('OPTIONAL' as const) : ('REQUIRED' as const),
      ...physicalElement(column),
    }))
    this.types = elements.map((element) => element.type)
    this.schema = [{ name: 'root', num_children: columns.length }, ...elements]
    this.codec = options.codec ?? 'SNAPPY'
    this.createdBy = options.createdBy ?? 'ferry'
  }

  /** Rows in the row group being gathered. */
  get pendingRows(): number {
    return this.pending
  }

  /** The 4-byte file header; call once, first. */
  start(): Uint8Array {
    this.offset = MAGIC.length
    return MAGIC.slice()
  }

  /**
   * Adds `length` rows of the columns (in the constructor's column order) to the row group being
   * gathered: the values at `rows` (indexes into each column), or the first `length`. Every column
   * is converted before any is encoded, so a throw leaves the row group as it was: FerryError
   * FERRY_INTERNAL when a value does not fit its column, naming the row by its position in the file.
   */
  append(values: readonly ArrayLike<unknown>[], length: number, rows?: Int32Array): void {
    if (length === 0) return
    const firstRow = this.rows + this.pending
    const physical = this.columns.map((column, index) => toPhysical(column, values[index]!, rows, length, firstRow))
    this.builders ??= this.columns.map(
      (column) => new ColumnChunkBuilder(column.nullable ?? true, this.codec, this.scratch),
    )
    for (const [index, builder] of this.builders.entries()) builder.add(physical[index]!, length)
    this.pending += length
  }

  /** Ends the row group being gathered and returns its bytes (none when it has no rows). */
  flushRowGroup(): Uint8Array {
    const builders = this.builders
    if (!builders || this.pending === 0) return new Uint8Array(0)
    const start = this.offset
    const chunks: ColumnChunk[] = []
    const parts: Uint8Array[] = []
    let at = start
    let uncompressed = 0n
    for (const [index, column] of this.columns.entries()) {
      const chunk = builders[index]!.finish(column.name, this.types[index]!)
      const base = BigInt(at)
      const meta = chunk.meta
      meta.data_page_offset += base
      if (meta.dictionary_page_offset !== undefined) meta.dictionary_page_offset += base
      chunks.push({ file_offset: base, meta_data: meta })
      parts.push(...chunk.parts)
      at += chunk.byteLength
      uncompressed += meta.total_uncompressed_size
    }
    this.rowGroups.push({
      columns: chunks,
      num_rows: BigInt(this.pending),
      total_byte_size: uncompressed,
      total_compressed_size: BigInt(at - start),
      file_offset: BigInt(start),
    })
    this.rows += this.pending
    this.pending = 0
    this.builders = undefined
    this.offset = at
    return concat(parts, at - start)
  }

  /** The last row group (if rows are pending), the footer, its length and the closing magic. */
  finish(): Uint8Array {
    const last = this.flushRowGroup()
    const writer = new ByteWriter()
    writeMetadata(writer, {
      version: 2,
      schema: this.schema,
      num_rows: BigInt(this.rows),
      row_groups: this.rowGroups,
      created_by: this.createdBy,
      metadata_length: 0,
    })
    writer.appendBytes(MAGIC)
    const footer = writer.getBytes()
    this.offset += footer.length
    return concat([last, footer], last.length + footer.length)
  }
}
