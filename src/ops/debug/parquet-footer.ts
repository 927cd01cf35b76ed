/**
 * A Parquet file's footer, fetched with ranged reads and summarised without touching a data page:
 * what `ferry inspect` shows. It decodes the footer with the reader's checked `parseFooter`, not
 * `openParquet`, because that one exposes no column statistics, reads a 64 KiB tail guess rather
 * than just the footer, and refuses files (unknown codec, encrypted columns) that an on-call
 * engineer most needs described. A damaged footer is a FormatError naming the field.
 */
import { type ColumnChunk, parquetSchema, type SchemaElement, type SchemaTree, type Statistics } from 'hyparquet'
import {
  type ColumnInfo,
  describeColumns,
  describeLogicalType,
  parseFooter,
  type RangeReader,
} from '../../core/formats/parquet.js'
import { FormatError, UnsupportedError } from '../../errors.js'

export interface RowGroupSummary {
  rows: number
  compressedBytes: number
  uncompressedBytes: number
  codecs: string[]
}

/** Footer statistics of one leaf column over all row groups; absent when a row group lacks them. */
export interface ColumnStatistics {
  /** dotted path of the leaf, e.g. `address.city` or `tags.list.element` */
  column: string
  physicalType: string
  logicalType?: string
  min?: StatValue
  max?: StatValue
  /** false when the writer shortened the value (long strings): a bound, not a value in the data */
  minExact?: false
  maxExact?: false
  nullCount?: number
}

/** A statistic as JSON: numbers, strings (also big integers and timestamps), booleans; bytes as `0x…` hex. */
export type StatValue = number | string | boolean

export interface ParquetFooterSummary {
  rows: number
  createdBy?: string
  /** bytes of the footer itself (Thrift metadata + length + magic) */
  footerBytes: number
  columns: ColumnInfo[]
  rowGroups: RowGroupSummary[]
  statistics: ColumnStatistics[]
}

const MAGIC = 'PAR1'
const ENCRYPTED_MAGIC = 'PARE'

/**
 * The footer's bytes (metadata, its length, the magic) from the end of the object: one ranged read
 * for the length and the magic, one for the metadata, and nothing else. Throws FormatError for an
 * object that does not end like Parquet and UnsupportedError for an encrypted footer.
 */
export async function fetchFooter(reader: RangeReader): Promise<Uint8Array> {
  const { size } = reader
  if (size < 12) throw new FormatError(`not a Parquet file: only ${size} bytes, too short for a header and footer`)
  const tail = await reader.read(size - 8, size)
  const magic = new TextDecoder().decode(tail.subarray(4))
  if (magic === ENCRYPTED_MAGIC) throw new UnsupportedError('parquet-encryption', 'the Parquet footer is encrypted')
  if (magic !== MAGIC) {
    throw new FormatError('not a Parquet file, or a truncated one: it does not end with the PAR1 magic')
  }
  const metadataLength = new DataView(tail.buffer, tail.byteOffset, tail.byteLength).getUint32(0, true)
  if (metadataLength + 8 > size - 4) {
    throw new FormatError(`corrupt Parquet footer: it claims ${metadataLength} bytes but the file has ${size}`)
  }
  const metadata = await reader.read(size - 8 - metadataLength, size - 8)
  const footer = new Uint8Array(metadataLength + 8)
  footer.set(metadata)
  footer.set(tail, metadataLength)
  return footer
}

function leaves(tree: SchemaTree, path: string[], out: Map<string, SchemaElement>): Map<string, SchemaElement> {
  for (const child of tree.children) {
    const childPath = [...path, child.element.name]
    if (child.children.length === 0) out.set(childPath.join('.'), child.element)
    else leaves(child, childPath, out)
  }
  return out
}

function statValue(value: Statistics['min_value']): StatValue | undefined {
  if (value === undefined) return undefined
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString()
  if (value instanceof Uint8Array) return `0x${Buffer.from(value).toString('hex')}`
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? undefined : value.toISOString()
  return value
}

/** Orders statistics of one column: numbers (safe or as digits), strings (also ISO times), booleans. */
function compareStats(a: StatValue, b: StatValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b)
  const numeric = /^-?\d+$/
  if (numeric.test(String(a)) && numeric.test(String(b))) {
    const difference = BigInt(a) - BigInt(b)
    return difference === 0n ? 0 : difference < 0n ? -1 : 1
  }
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0
}

function columnStatistics(chunks: ColumnChunk[], column: string, element: SchemaElement | undefined): ColumnStatistics {
  const out: ColumnStatistics = {
    column,
    physicalType: element?.type ?? 'UNKNOWN',
    logicalType: element ? describeLogicalType(element) : undefined,
  }
  const stats = chunks.map((chunk) => chunk.meta_data?.statistics)
  // a total is only meaningful when every row group contributed
  if (stats.every((s) => s?.null_count !== undefined)) {
    out.nullCount = stats.reduce((sum, s) => sum + Number(s!.null_count), 0)
  }
  const pick = (which: 'min' | 'max') => {
    const bounds = stats.map((s) => ({
      value: statValue(which === 'min' ? (s?.min_value ?? s?.min) : (s?.max_value ?? s?.max)),
      exact: (which === 'min' ? s?.is_min_value_exact : s?.is_max_value_exact) !== false,
    }))
    if (bounds.some((b) => b.value === undefined)) return undefined
    const sign = which === 'min' ? 1 : -1
    return bounds.reduce((a, b) => (sign * compareStats(a.value!, b.value!) <= 0 ? a : b))
  }
  const min = pick('min')
  const max = pick('max')
  if (min) out.min = min.value
  if (min && !min.exact) out.minExact = false
  if (max) out.max = max.value
  if (max && !max.exact) out.maxExact = false
  return out
}

/**
 * Decodes footer bytes from `fetchFooter`. Throws FormatError naming what is wrong when the metadata
 * does not decode or describes no well-formed schema (see the reader's `parseFooter`).
 */
export function summariseFooter(footer: Uint8Array): ParquetFooterSummary {
  const metadata = parseFooter(footer)
  const tree = parquetSchema(metadata)
  const columns = describeColumns(metadata)
  const elements = leaves(tree, [], new Map())
  const chunksByColumn = new Map<string, ColumnChunk[]>()
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const path = chunk.meta_data?.path_in_schema.join('.') ?? '?'
      chunksByColumn.set(path, [...(chunksByColumn.get(path) ?? []), chunk])
    }
  }
  return {
    rows: Number(metadata.num_rows),
    createdBy: metadata.created_by,
    footerBytes: footer.byteLength,
    columns,
    rowGroups: metadata.row_groups.map((group) => ({
      rows: Number(group.num_rows),
      compressedBytes: group.columns.reduce((sum, c) => sum + Number(c.meta_data?.total_compressed_size ?? 0n), 0),
      uncompressedBytes: group.columns.reduce((sum, c) => sum + Number(c.meta_data?.total_uncompressed_size ?? 0n), 0),
      codecs: [...new Set(group.columns.map((c) => c.meta_data?.codec ?? 'UNKNOWN'))].sort(),
    })),
    statistics: [...chunksByColumn].map(([path, chunks]) => columnStatistics(chunks, path, elements.get(path))),
  }
}
