import { performance } from 'node:perf_hooks'
import { FormatError } from '../errors.js'
import type { Dataset } from './dataset.js'
import { processBatch } from './engine/batch.js'
import { NewestEvent } from './engine/event-time.js'
import { openSource, type SourceInfo } from './engine/input.js'
import { checkRowSizes, type EngineLimits, EngineTimeoutError, withSettingHint } from './engine/limits.js'
import { type FirstError, Quarantine } from './engine/quarantine.js'
import {
  type ByteSink,
  bytesReader,
  memorySink,
  ParquetStreamWriter,
  type RangeReader,
  type WriteCodec,
} from './formats/parquet.js'
import { propertyView } from './validation/refs.js'

export { type FirstError, MAX_FIRST_ERRORS, type QuarantineLine } from './engine/quarantine.js'

/** What processing one file did; every row is either written or quarantined: rowsIn = rowsOut + rowsRejected. */
export interface FileReport {
  rowsIn: number
  rowsOut: number
  rowsRejected: number
  /** the first errors in file order, at most MAX_FIRST_ERRORS (a row may contribute several) */
  firstErrors: FirstError[]
  /** UTC date of the newest event time among the written rows; undefined when no row has one */
  eventDate?: string
  /** size of the source */
  bytesIn: number
  /** size of the output Parquet (the quarantine file is not counted) */
  bytesOut: number
  durationsMs: { read: number; validate: number; transform: number; write: number }
  /** the source's format, and its footer (Parquet) or the columns and rows reading it found */
  source: SourceInfo
}

export interface ProcessedFile extends FileReport {
  /** Parquet of the transformed valid rows; a valid (empty) Parquet file even with zero rows */
  output: Uint8Array
  /** NDJSON, one line per rejected row (see QuarantineLine); undefined when nothing was rejected */
  quarantine?: Uint8Array
}

export interface EngineSinks {
  /** receives the output Parquet, a row group at a time */
  output: ByteSink
  /** receives quarantine NDJSON lines, a batch at a time; written only when a row is rejected */
  quarantine: ByteSink
}

export interface EngineOptions {
  /** the source's key or file name, which tells CSV and NDJSON apart; Parquet and gzip are known by their bytes */
  key?: string
  /** limits this file is held to; none by default */
  limits?: EngineLimits
  /** rows read, validated, transformed and encoded at a time, at most (see BatchOptions.maxRows) */
  batchRows?: number
  /** the Parquet decoder (see BatchOptions): `fast` by default, `hyparquet` as the reference */
  decoder?: 'fast' | 'hyparquet'
  /** an output row group is written once it holds at least this many rows; default 100,000 */
  rowGroupRows?: number
  /** output compression; default the encoder's (ZSTD, see formats/parquet/encode/compression.ts) */
  codec?: WriteCodec
  /** called after each batch: the engine is moving (the worker thread's stall watchdog listens) */
  progress?: () => void
}

/** Counts the bytes written through it. */
function counting(sink: ByteSink): ByteSink & { bytes: number } {
  const counted = {
    bytes: 0,
    write: async (chunk: Uint8Array) => {
      counted.bytes += chunk.byteLength
      await sink.write(chunk)
    },
    close: () => sink.close(),
  }
  return counted
}

/**
 * Validates, transforms and encodes one source as Parquet, streaming. A Parquet source is read by
 * range, footer first, then each row group's column chunks, decoded a batch of a few thousand rows at
 * a time; CSV and NDJSON (gzipped or not, see formats/detect.ts) are parsed a batch at a time. Each
 * batch is validated against the dataset's schema with the columnar validator, transformed (the
 * dataset's column steps, or its row function) and encoded into the output row group, which goes to
 * the output sink once complete; rejected rows, and text records that could not be read at all, go to
 * the quarantine sink as NDJSON. Memory holds one batch of values, one row group's compressed input
 * and the encoded pages of one output row group, whatever the file's size.
 *
 * A row is rejected when the schema refuses it or its transform throws. The event date comes from
 * the newest `eventTimeField` among the written rows. The sinks stay the caller's: they are written
 * to, never closed, so the caller closes them on success and discards them on failure.
 *
 * Throws FormatError when the input cannot be read, UnsupportedError for formats and Parquet
 * features Ferry cannot read, LimitError (code FERRY_LIMIT) over a size or row limit,
 * EngineTimeoutError (FERRY_TIMEOUT) past the time limit, and FerryError FERRY_INTERNAL when the
 * transform produces a value its own output columns cannot hold (a dataset bug) or the columnar
 * validator disagrees with ajv.
 */
export async function processSource(
  reader: RangeReader,
  dataset: Dataset,
  sinks: EngineSinks,
  options: EngineOptions = {},
): Promise<FileReport> {
  try {
    return await run(reader, dataset, sinks, options)
  } catch (err) {
    throw withSettingHint(err)
  }
}

async function run(
  reader: RangeReader,
  dataset: Dataset,
  sinks: EngineSinks,
  options: EngineOptions,
): Promise<FileReport> {
  const limits = options.limits ?? {}
  const deadline =
    limits.fileTimeoutMs === undefined ? Number.POSITIVE_INFINITY : performance.now() + limits.fileTimeoutMs
  const durationsMs = { read: 0, validate: 0, transform: 0, write: 0 }
  const outputSink = counting(sinks.output)
  let started = performance.now()
  const input = await openSource(reader, {
    key: options.key,
    schema: propertyView(dataset.schema, dataset.schemaRefs),
    delimiter: dataset.csv?.delimiter,
    limits,
  })
  const checkRows = input.info.format === 'parquet' ? limits.maxRowBytes : undefined
  const output = new ParquetStreamWriter(dataset.outputColumns, outputSink, options)
  const quarantine = new Quarantine(sinks.quarantine)
  const newest = new NewestEvent()
  let rowsIn = 0
  let rowsOut = 0
  let unreadableRows = 0
  let firstUnreadable: string | undefined
  for await (const { unreadable, rows: batch } of input.batches({
    maxRows: options.batchRows,
    decoder: options.decoder,
  })) {
    const read = performance.now()
    durationsMs.read += read - started
    // checked between batches: a decoder stuck inside one needs the engine pool's hard stop
    if (read > deadline) {
      throw new EngineTimeoutError(
        limits.fileTimeoutMs!,
        `dataset ${dataset.name}, ${rowsIn} rows read of ${options.key ?? 'the source'}`,
      )
    }
    if (checkRows !== undefined) checkRowSizes(batch, checkRows)
    await quarantine.addUnreadable(unreadable)
    rowsIn += unreadable.length
    unreadableRows += unreadable.length
    firstUnreadable ??= unreadable[0]?.message
    if (batch.length > 0) {
      const result = processBatch(dataset, batch)
      durationsMs.validate += result.validateMs
      durationsMs.transform += result.transformMs
      if (dataset.eventTimeField !== undefined) {
        newest.offer(batch.columns[dataset.eventTimeField], result.written, result.rows)
      }
      const writing = performance.now()
      await output.write(result.output, result.rows, result.written)
      await quarantine.add(batch, result.rejections)
      rowsIn += batch.length
      rowsOut += result.rows
      durationsMs.write += performance.now() - writing
    }
    options.progress?.()
    started = performance.now()
  }
  // a text file none of whose records reads as a row is not a file of bad rows: it is not that format
  if (rowsIn > 0 && unreadableRows === rowsIn) {
    throw new FormatError(
      `no record of ${options.key ?? 'the source'} reads as ${input.info.format === 'csv' ? 'a CSV' : 'an NDJSON'} row (${rowsIn} tried); the first: ${firstUnreadable}`,
    )
  }
  await output.finish()
  durationsMs.write += performance.now() - started
  return {
    rowsIn,
    rowsOut,
    rowsRejected: quarantine.rows,
    firstErrors: quarantine.firstErrors,
    eventDate: newest.date(),
    bytesIn: reader.size,
    bytesOut: outputSink.bytes,
    durationsMs,
    source: input.info,
  }
}

/**
 * `processSource` with the output and quarantine gathered in memory: encoded Parquet and NDJSON, far
 * smaller than the rows they hold, for callers that must hand whole objects on. Throws like
 * `processSource`.
 */
export function processReader(
  reader: RangeReader,
  dataset: Dataset,
  options: EngineOptions = {},
): Promise<ProcessedFile> {
  return gatherOutputs((sinks) => processSource(reader, dataset, sinks, options))
}

/** Runs `run` (processSource, here or in a worker) with in-memory sinks, and hands back what it wrote. */
export async function gatherOutputs(run: (sinks: EngineSinks) => Promise<FileReport>): Promise<ProcessedFile> {
  const output = memorySink()
  const quarantine = memorySink()
  const report = await run({ output, quarantine })
  const outputBytes = (await output.close()) ?? new Uint8Array(0)
  const quarantineBytes = report.rowsRejected > 0 ? await quarantine.close() : undefined
  return { ...report, output: outputBytes, quarantine: quarantineBytes }
}

/** `processReader` over bytes in memory. Pure: bytes in, bytes out. Throws like `processSource`. */
export function processFile(bytes: Uint8Array, dataset: Dataset, options: EngineOptions = {}): Promise<ProcessedFile> {
  return processReader(bytesReader(bytes), dataset, options)
}
