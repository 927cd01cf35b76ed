/**
 * The resource limits one file is held to, and the errors that say which was passed. Every message
 * names the setting that raises the limit, because the person reading a dead letter at 00:30 needs
 * to know whether the file is wrong or the limit is.
 */
import { LimitError } from '../../errors.js'
import type { ColumnBatch } from '../formats/parquet.js'

export interface EngineLimits {
  /** the source object's size in bytes (compressed, as stored) */
  maxObjectBytes?: number
  /** what a gzip source may inflate to, and the uncompressed sizes a Parquet file's pages declare, together */
  maxDecompressedBytes?: number
  /** what one Parquet page may declare as its uncompressed size (checked before anything is allocated) */
  maxPageBytes?: number
  /** one row: a text record's bytes, or a Parquet row's values (see `rowSize`) */
  maxRowBytes?: number
  /** rows (records) in one file, rejected ones included */
  maxRowsPerFile?: number
  /** wall time for one file, from opening it to its last output byte */
  fileTimeoutMs?: number
  /** wall time a file's decode may go without progress (a read, a write, a batch) before it is stopped */
  stallMs?: number
}

export type LimitName = keyof EngineLimits

/** The environment variable that sets each limit (config file: `work.limits.<name>`). */
export const LIMIT_ENV: Record<LimitName, string> = {
  maxObjectBytes: 'FERRY_MAX_OBJECT_BYTES',
  maxDecompressedBytes: 'FERRY_MAX_DECOMPRESSED_BYTES',
  maxPageBytes: 'FERRY_MAX_PAGE_BYTES',
  maxRowBytes: 'FERRY_MAX_ROW_BYTES',
  maxRowsPerFile: 'FERRY_MAX_ROWS_PER_FILE',
  fileTimeoutMs: 'FERRY_FILE_TIMEOUT_MS',
  stallMs: 'FERRY_STALL_MS',
}

function settingHint(limit: LimitName): string {
  return `(limit work.limits.${limit}, env ${LIMIT_ENV[limit]})`
}

/** A file over one of its limits; not retryable, since the same bytes would pass it again. */
export function overLimit(limit: LimitName, message: string, context: Record<string, unknown> = {}): LimitError {
  return new LimitError(`${message} ${settingHint(limit)}`, { context: { limit, ...context } })
}

/** A file that took longer than its time limit. Not retryable: the same bytes would take as long. */
export class EngineTimeoutError extends LimitError {
  override readonly code = 'FERRY_TIMEOUT'
  override name = 'EngineTimeoutError'

  constructor(timeoutMs: number, detail: string, context: Record<string, unknown> = {}) {
    super(`processing stopped after ${timeoutMs} ms: ${detail} ${settingHint('fileTimeoutMs')}`, {
      context: { limit: 'fileTimeoutMs', timeoutMs, ...context },
    })
  }
}

/**
 * A decode that made no progress (no read, no write, no batch) for `stallMs`: stuck, not slow, so it
 * is stopped long before the whole-file limit. Not retryable: the same bytes would stall again.
 */
export class StallError extends LimitError {
  override readonly code = 'FERRY_TIMEOUT'
  override name = 'StallError'

  constructor(stallMs: number, detail: string, context: Record<string, unknown> = {}) {
    super(`processing stopped: no progress for ${stallMs} ms: ${detail} ${settingHint('stallMs')}`, {
      context: { limit: 'stallMs', stallMs, ...context },
    })
  }
}

/**
 * A limit error from a reader (gzip, CSV, NDJSON), which knows its own limit by its option name, with
 * the setting that raises it added; any other error unchanged.
 */
export function withSettingHint(err: unknown): unknown {
  if (!(err instanceof LimitError) || err instanceof EngineTimeoutError) return err
  const limit = readerLimit(err.context)
  if (!limit || err.context.limit) return err
  return new LimitError(`${err.message} ${settingHint(limit)}`, {
    cause: err,
    context: { ...err.context, limit },
  })
}

function readerLimit(context: Record<string, unknown>): LimitName | undefined {
  if ('maxRecordBytes' in context) return 'maxRowBytes'
  if ('maxBytes' in context) return 'maxDecompressedBytes'
  return undefined
}

/** Width of a value that is not text or bytes; nested values are measured as JSON text. */
const SCALAR_BYTES = 8

function valueSize(value: unknown): number {
  if (value === null || value === undefined) return 0
  if (typeof value === 'string') return value.length
  if (value instanceof Uint8Array) return value.byteLength
  if (typeof value === 'object' && !(value instanceof Date)) {
    return JSON.stringify(value, (_, inner) => (typeof inner === 'bigint' ? inner.toString() : inner)).length
  }
  return SCALAR_BYTES
}

/** Whether every value of a column is fixed-width, so it can be counted without looking at them. */
function isFixedWidth(values: ArrayLike<unknown>): boolean {
  return ArrayBuffer.isView(values) && !(values instanceof DataView)
}

/**
 * Throws when a row of the batch is larger than `maxBytes`, its size being the sum of its values':
 * text by its length, bytes by their length, nested values by their JSON length, anything else 8.
 * The sum of each column's widest value bounds every row, so the exact per-row sums are only taken
 * in the rare batch where that bound is over the limit.
 */
export function checkRowSizes(batch: ColumnBatch, maxBytes: number): void {
  const columns = Object.values(batch.columns)
  let bound = 0
  for (const values of columns) {
    if (isFixedWidth(values)) {
      bound += SCALAR_BYTES
      continue
    }
    let widest = 0
    for (let i = 0; i < batch.length; i++) {
      const size = valueSize(values[i])
      if (size > widest) widest = size
    }
    bound += widest
  }
  if (bound <= maxBytes) return
  for (let row = 0; row < batch.length; row++) {
    let size = 0
    for (const values of columns) size += isFixedWidth(values) ? SCALAR_BYTES : valueSize(values[row])
    if (size > maxBytes) {
      const rowNumber = batch.rowStart + row + 1
      throw overLimit(
        'maxRowBytes',
        `row ${rowNumber} holds about ${size} bytes of values, over the ${maxBytes}-byte limit`,
        {
          row: rowNumber,
          size,
          maxRowBytes: maxBytes,
        },
      )
    }
  }
}
