/**
 * Deterministic mutants of a Parquet file for the fuzz suite, aimed at the parts the footer locates:
 * byte damage in the footer, page headers and page bodies (their first bytes, where levels and
 * encoding headers are, most of all); bit flips anywhere; truncation; column
 * chunks and pages copied over others; and, re-encoded so the rest of the file stays in place,
 * single fields of a page header or the footer set to a wrong value or left out.
 */
import type { FileMetaData } from 'hyparquet'
import { parquetMetadata } from 'hyparquet'
import { deserializeTCompactProtocol } from 'hyparquet/src/thrift.js'
import { ByteWriter } from 'hyparquet-writer'
import { writeMetadata } from 'hyparquet-writer/src/metadata.js'
import { serializeTCompactProtocol } from 'hyparquet-writer/src/thrift.js'
import { chunkRange } from '../../../../../src/core/formats/parquet/window.js'
import type { Random } from '../../../../../src/core/sample-orders.js'

interface Page {
  /** header start, header end (= body start), body end */
  at: number
  body: number
  end: number
}

/** Where a file's parts are: its footer, its column chunks and their pages. */
export interface Layout {
  footer: [number, number]
  chunks: Array<[number, number]>
  pages: Page[]
}

export function layoutOf(bytes: Uint8Array): Layout {
  const footerLength = new DataView(bytes.buffer, bytes.byteOffset).getUint32(bytes.length - 8, true)
  const metadata = parquetMetadata(bytes)
  const chunks = metadata.row_groups.flatMap((group) => group.columns.map((chunk) => chunkRange(chunk.meta_data!)))
  const pages: Page[] = []
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (const [start, end] of chunks) {
    const reader = { view, offset: start }
    while (reader.offset < end - 1) {
      const at = reader.offset
      const header = deserializeTCompactProtocol(reader) as Record<string, number>
      const body = reader.offset
      reader.offset += header.field_3!
      pages.push({ at, body, end: reader.offset })
    }
  }
  return { footer: [bytes.length - 8 - footerLength, bytes.length - 8], chunks, pages }
}

export interface Mutant {
  kind: string
  bytes: Uint8Array
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!
const between = (random: Random, start: number, end: number) => start + Math.floor(random() * Math.max(1, end - start))

function overwrite(random: Random, bytes: Uint8Array, start: number, end: number, count: number): Uint8Array {
  const out = bytes.slice()
  for (let i = 0; i < count; i++) out[between(random, start, end)] = Math.floor(random() * 256)
  return out
}

/** A value a damaged integer field might hold. */
function wrongValue(random: Random, value: number): number {
  return pick(random, [value + 1, value - 1, value * 2, 0, -1, 2 ** 31 - 1, Math.floor(random() * 1000)])
}

/** The file with `bytes[start, end)` replaced by `patch`, the footer's offsets moved to match. */
function splice(
  bytes: Uint8Array,
  start: number,
  end: number,
  patch: Uint8Array,
  edit?: (m: FileMetaData) => void,
): Uint8Array {
  const metadata = parquetMetadata(bytes)
  const shift = patch.length - (end - start)
  const moved = (offset: bigint | undefined) =>
    offset !== undefined && offset >= BigInt(end) ? offset + BigInt(shift) : offset
  for (const group of metadata.row_groups) {
    for (const chunk of group.columns) {
      const meta = chunk.meta_data!
      delete meta.statistics
      const [from, to] = chunkRange(meta)
      if (from <= start && end <= to) meta.total_compressed_size += BigInt(shift)
      meta.data_page_offset = moved(meta.data_page_offset)!
      meta.dictionary_page_offset = moved(meta.dictionary_page_offset)
      delete meta.index_page_offset
      delete chunk.offset_index_offset
      delete chunk.column_index_offset
    }
  }
  edit?.(metadata)
  const writer = new ByteWriter()
  writeMetadata(writer, metadata)
  writer.appendBytes(new TextEncoder().encode('PAR1'))
  const dataEnd = bytes.length - 8 - metadata.metadata_length
  const footer = new Uint8Array(writer.getBytes())
  const out = new Uint8Array(dataEnd + shift + footer.length)
  out.set(bytes.subarray(0, start))
  out.set(patch, start)
  out.set(bytes.subarray(end, dataEnd), start + patch.length)
  out.set(footer, dataEnd + shift)
  return out
}

/** A page header with one field (of it or a sub-header) changed or left out. */
function headerField(random: Random, bytes: Uint8Array, page: Page): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const header = deserializeTCompactProtocol({ view, offset: page.at }) as Record<string, unknown>
  const holders = [
    header,
    ...Object.values(header).filter((v) => typeof v === 'object' && v && !(v instanceof Uint8Array)),
  ]
  const holder = pick(random, holders) as Record<string, unknown>
  const fields = Object.keys(holder).filter((key) => typeof holder[key] === 'number')
  if (fields.length === 0) return bytes
  const field = pick(random, fields)
  if (random() < 0.3) delete holder[field]
  else holder[field] = wrongValue(random, holder[field] as number)
  const writer = new ByteWriter()
  serializeTCompactProtocol(writer, header)
  return splice(bytes, page.at, page.body, new Uint8Array(writer.getBytes()))
}

/** The footer re-encoded with one count, offset, type or repetition changed. */
function footerField(random: Random, bytes: Uint8Array): Uint8Array {
  return splice(bytes, 0, 0, new Uint8Array(0), (metadata) => {
    const group = pick(random, metadata.row_groups)
    const meta = group && pick(random, group.columns).meta_data!
    const element = pick(random, metadata.schema.slice(1))
    const edits = [
      () => {
        metadata.num_rows += 1n
      },
      () => {
        if (group) group.num_rows = BigInt(wrongValue(random, Number(group.num_rows)))
      },
      () => {
        if (meta) meta.num_values = BigInt(wrongValue(random, Number(meta.num_values)))
      },
      () => {
        if (meta) meta.data_page_offset += BigInt(pick(random, [-7, -1, 1, 3]))
      },
      () => {
        if (meta) meta.total_compressed_size = BigInt(wrongValue(random, Number(meta.total_compressed_size)))
      },
      () => {
        if (meta) meta.codec = pick(random, ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'ZSTD', 'LZ4_RAW'] as const)
      },
      () => {
        if (element) element.repetition_type = pick(random, ['REQUIRED', 'OPTIONAL', 'REPEATED'] as const)
      },
      () => {
        if (element?.type) element.type = pick(random, ['INT32', 'INT64', 'BYTE_ARRAY', 'BOOLEAN', 'INT96'] as const)
      },
      () => {
        if (!element) return
        delete element.converted_type
        delete element.logical_type
      },
    ]
    pick(random, edits)()
  })
}

/** One mutant of `bytes`, of a kind picked at random. */
export function mutate(random: Random, bytes: Uint8Array, layout: Layout): Mutant {
  const { footer, chunks, pages } = layout
  const page = pages.length > 0 ? pick(random, pages) : undefined
  const chunk = chunks.length > 0 ? pick(random, chunks) : undefined
  const kinds: Array<[string, () => Uint8Array]> = [
    [
      'bit flips',
      () => {
        const out = bytes.slice()
        for (let n = 1 + Math.floor(random() * 3); n > 0; n--)
          out[between(random, 0, out.length)]! ^= 1 << Math.floor(random() * 8)
        return out
      },
    ],
    ['footer bytes', () => overwrite(random, bytes, footer[0], footer[1], 1 + Math.floor(random() * 3))],
    ['footer field', () => footerField(random, bytes)],
    ['truncation', () => bytes.slice(0, between(random, 0, bytes.length))],
  ]
  if (page) {
    kinds.push(
      ['page header bytes', () => overwrite(random, bytes, page.at, page.body, 1 + Math.floor(random() * 2))],
      ['page header field', () => headerField(random, bytes, page)],
      ['page body bytes', () => overwrite(random, bytes, page.body, page.end, 1 + Math.floor(random() * 4))],
      // where levels, bit widths and delta block headers are
      ['page body start', () => overwrite(random, bytes, page.body, Math.min(page.end, page.body + 16), 1)],
      [
        'page duplicated',
        () => {
          const next = pages.find((other) => other.at === page.end)
          const out = bytes.slice()
          if (next) out.set(bytes.subarray(page.at, Math.min(page.end, page.at + (next.end - next.at))), next.at)
          return out
        },
      ],
    )
  }
  if (chunk && chunks.length > 1) {
    kinds.push([
      'chunk duplicated',
      () => {
        const other = pick(
          random,
          chunks.filter((c) => c !== chunk),
        )
        const out = bytes.slice()
        out.set(bytes.subarray(chunk[0], chunk[0] + Math.min(chunk[1] - chunk[0], other[1] - other[0])), other[0])
        return out
      },
    ])
  }
  if (chunk) {
    kinds.push([
      'chunk cut short',
      () => splice(bytes, between(random, chunk[0], chunk[1]), chunk[1], new Uint8Array(0)),
    ])
  }
  const [kind, make] = pick(random, kinds)
  return { kind, bytes: make() }
}
