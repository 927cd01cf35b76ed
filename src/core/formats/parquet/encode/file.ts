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
import { DEFAULT_CODEC } from './compression.js'
import { CREATED_BY } from './created-by.js'
import { toPhysical } from './physical.js'

export interface EncoderOptions {
  /** default ZSTD (compression.ts) */
  codec?: WriteCodec
  /** the footer's created_by; default `ferry version <package.json version>` */
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

/** Thrift compact protocol: a list header of size 0 (high nibble) holding structs (type 12, low nibble). */
const EMPTY_STRUCT_LIST = 0x0c

/**
 * hyparquet-writer gives an empty list the element type 0, so a file without row groups says
 * `row_groups: list<0>`, which arrow-rs refuses ("Expected list element type of Struct"). The empty
 * list sits just before created_by (field 4, then field 6 as a string), which makes it easy to find:
 * `19 00 28 <length> <created_by>`; its header byte becomes the one a list of structs has.
 */
function fixEmptyRowGroups(footer: Uint8Array, createdBy: string): void {
  const text = Buffer.from(createdBy, 'utf8')
  const length: number[] = []
  for (let rest = text.length; ; rest >>>= 7) {
    if (rest < 0x80) {
      length.push(rest)
      break
    }
    length.push((rest & 0x7f) | 0x80)
  }
  const at = Buffer.from(footer.buffer, footer.byteOffset, footer.length).indexOf(
    Buffer.concat([Buffer.from([0x19, 0x00, 0x28, ...length]), text]),
  )
  if (at < 0) throw new Error('the footer of a file without row groups is not laid out as expected')
  footer[at + 1] = EMPTY_STRUCT_LIST
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
    this.codec = options.codec ?? DEFAULT_CODEC
    this.createdBy = options.createdBy ?? CREATED_BY
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
    if (this.rowGroups.length === 0) fixEmptyRowGroups(footer, this.createdBy)
    this.offset += footer.length
    return concat([last, footer], last.length + footer.length)
  }
}
