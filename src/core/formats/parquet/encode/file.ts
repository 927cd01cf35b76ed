/**
 * Ferry's Parquet encoder for flat, typed columns: the file header, one row group per call, and the
 * footer, each returned as bytes so a caller can stream them anywhere. Synchronous and free of I/O.
 */
import type { ColumnChunk, ParquetType, RowGroup, SchemaElement } from 'hyparquet'
import { ByteWriter } from 'hyparquet-writer'
import { writeMetadata } from 'hyparquet-writer/src/metadata.js'
import type { OutputColumn } from '../../columns.js'
import { ByteBuffer } from './buffer.js'
import type { WriteCodec } from './codec.js'
import { encodeColumnChunk } from './column.js'
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

  /** Rows encoded so far. */
  get rowCount(): number {
    return this.rows
  }

  /** The 4-byte file header; call once, first. */
  start(): Uint8Array {
    this.offset = MAGIC.length
    return MAGIC.slice()
  }

  /**
   * Encodes `length` rows of the columns (in the constructor's column order) as one row group: the
   * values at `rows` (indexes into each column), or the first `length` when `rows` is undefined.
   * Throws FerryError FERRY_INTERNAL when a value does not fit its column, naming the row by its
   * position in the file; nothing is emitted for that row group then.
   */
  rowGroup(values: readonly ArrayLike<unknown>[], length: number, rows?: Int32Array): Uint8Array {
    const start = this.offset
    const chunks: ColumnChunk[] = []
    const parts: Uint8Array[] = []
    let at = start
    let uncompressed = 0n
    for (const [index, column] of this.columns.entries()) {
      const physical = toPhysical(column, values[index]!, rows, length, this.rows)
      const chunk = encodeColumnChunk(column.name, this.types[index]!, physical, length, this.codec, this.scratch)
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
      num_rows: BigInt(length),
      total_byte_size: uncompressed,
      total_compressed_size: BigInt(at - start),
      file_offset: BigInt(start),
    })
    this.rows += length
    this.offset = at
    return concat(parts, at - start)
  }

  /** Footer, its length and the closing magic; the file is complete after these bytes. */
  finish(): Uint8Array {
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
    const footer = writer.getBytes().slice()
    this.offset += footer.length
    return footer
  }
}
