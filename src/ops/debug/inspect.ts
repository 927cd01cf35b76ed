/**
 * `ferry inspect`: what a file is, read as cheaply as possible. Parquet is described from its footer
 * alone (ranged reads); CSV and NDJSON from their first bytes.
 */
import { byteChunks, gunzip } from '../../core/formats/compression.js'
import { readCsvHeader } from '../../core/formats/csv.js'
import { csvDelimiterOf, type DetectedFormat, detectFormat } from '../../core/formats/detect.js'
import { readNdjson } from '../../core/formats/ndjson.js'
import { bytes, int } from '../report/format.js'
import { fetchFooter, type ParquetFooterSummary, type StatValue, summariseFooter } from './parquet-footer.js'
import type { ObjectSource } from './source.js'
import { clip, table } from './table.js'

interface InspectionBase extends DetectedFormat {
  url: string
  size: number
  lastModified?: string
  /** bytes actually fetched from the object to answer */
  bytesFetched: number
}

export interface ParquetInspection extends InspectionBase {
  format: 'parquet'
  /** absent for gzipped Parquet, whose footer cannot be reached without inflating the whole file */
  parquet?: ParquetFooterSummary
}

export interface TextInspection extends InspectionBase {
  format: 'csv' | 'ndjson'
  /** CSV: the header row */
  header?: string[]
  /** NDJSON: the keys of the first record */
  firstRecordKeys?: string[]
  /** NDJSON: why the first record is not a row, when it is not */
  firstRecordError?: string
}

export type Inspection = ParquetInspection | TextInspection

/** Enough for any magic number Ferry checks (PAR1, gzip). */
const MAGIC_BYTES = 4
/** How much of a text file's start is read (inflated, for gzip) to find its header. */
const TEXT_PREFIX_BYTES = 64 * 1024

async function textStart(source: ObjectSource, gzip: boolean): Promise<Uint8Array> {
  const raw = await source.read(0, Math.min(source.size, TEXT_PREFIX_BYTES))
  if (!gzip) return raw
  const parts: Uint8Array[] = []
  let length = 0
  // a bomb's first block would inflate far past what is shown, so stop once there is enough
  for await (const chunk of gunzip(byteChunks(raw), { prefix: true })) {
    parts.push(chunk)
    length += chunk.byteLength
    if (length >= TEXT_PREFIX_BYTES) break
  }
  return Buffer.concat(parts).subarray(0, TEXT_PREFIX_BYTES)
}

/**
 * Describes the object. Throws FormatError/UnsupportedError when it is not a format Ferry reads or
 * its footer cannot be decoded; a Parquet file the worker refuses for its codec or encryption is
 * still described, since that is what one inspects it for.
 */
export async function inspectObject(source: ObjectSource): Promise<Inspection> {
  const detected = detectFormat(source.key, await source.read(0, Math.min(source.size, MAGIC_BYTES)))
  const base = {
    url: source.url,
    size: source.size,
    ...(source.lastModified ? { lastModified: source.lastModified.toISOString() } : {}),
  }
  if (detected.format === 'parquet') {
    const parquet = detected.compression === 'none' ? summariseFooter(await fetchFooter(source)) : undefined
    return { ...base, ...detected, format: 'parquet', ...(parquet ? { parquet } : {}), bytesFetched: source.bytesRead }
  }
  const start = await textStart(source, detected.compression === 'gzip')
  if (detected.format === 'csv') {
    return {
      ...base,
      ...detected,
      format: 'csv',
      header: readCsvHeader(start, csvDelimiterOf(source.key)),
      bytesFetched: source.bytesRead,
    }
  }
  const first = await readNdjson(start, { batchRows: 1 }).next()
  const batch = first.done ? undefined : first.value
  return {
    ...base,
    ...detected,
    format: 'ndjson',
    ...(batch?.rows[0] ? { firstRecordKeys: Object.keys(batch.rows[0]) } : {}),
    ...(batch?.rowErrors?.[0] ? { firstRecordError: batch.rowErrors[0].message } : {}),
    bytesFetched: source.bytesRead,
  }
}

function describeFormat(inspection: Inspection): string {
  return inspection.compression === 'gzip' ? `${inspection.format}, gzip-compressed` : inspection.format
}

/** `-` when the footer has no statistic, `""` for an empty string, `(bound)` for a shortened one. */
function statCell(value: StatValue | undefined, exact: false | undefined): string {
  if (value === undefined) return '-'
  const text = value === '' ? '""' : clip(String(value))
  return exact === false ? `${text} (bound)` : text
}

function parquetLines(p: ParquetFooterSummary): string[] {
  const groups = p.rowGroups
  return [
    `rows          ${int(p.rows)} in ${groups.length} row group${groups.length === 1 ? '' : 's'}`,
    ...(p.createdBy ? [`created by    ${p.createdBy}`] : []),
    '',
    'columns',
    ...table(
      ['name', 'physical', 'logical', 'nullable'],
      p.columns.map((c) => [c.name, c.physicalType, c.logicalType ?? '', c.nullable ? 'yes' : 'no']),
    ).map((line) => `  ${line}`),
    '',
    'row groups',
    ...table(
      ['#', 'rows', 'compressed', 'uncompressed', 'codecs'],
      groups.map((g, i) => [
        String(i),
        int(g.rows),
        bytes(g.compressedBytes),
        bytes(g.uncompressedBytes),
        g.codecs.join(','),
      ]),
      new Set([0, 1, 2, 3]),
    ).map((line) => `  ${line}`),
    '',
    'statistics (footer; all row groups)',
    ...table(
      ['column', 'min', 'max', 'nulls'],
      p.statistics.map((s) => [
        s.column,
        statCell(s.min, s.minExact),
        statCell(s.max, s.maxExact),
        s.nullCount === undefined ? '-' : int(s.nullCount),
      ]),
      new Set([3]),
    ).map((line) => `  ${line}`),
  ]
}

/** The human-readable report; `--json` prints the Inspection itself. */
export function formatInspection(inspection: Inspection): string[] {
  const share = inspection.size > 0 ? ` (${((inspection.bytesFetched / inspection.size) * 100).toFixed(1)}%)` : ''
  const lines = [
    inspection.url,
    `format        ${describeFormat(inspection)}`,
    `size          ${bytes(inspection.size)} (${int(inspection.size)} bytes)`,
    ...(inspection.lastModified ? [`modified      ${inspection.lastModified}`] : []),
    `fetched       ${bytes(inspection.bytesFetched)}${share}`,
  ]
  if (inspection.format === 'parquet') {
    if (inspection.parquet) return [...lines, ...parquetLines(inspection.parquet)]
    return [...lines, 'footer        not shown: gzipped Parquet must be inflated whole (ferry validate reads it)']
  }
  if (inspection.header) lines.push(`header        ${inspection.header.join(', ')}`)
  if (inspection.firstRecordKeys) lines.push(`first record  keys ${inspection.firstRecordKeys.join(', ')}`)
  if (inspection.firstRecordError) lines.push(`first record  ${inspection.firstRecordError}`)
  return lines
}
