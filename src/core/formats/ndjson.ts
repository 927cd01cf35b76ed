/**
 * NDJSON (JSON Lines) to rows, streaming: one JSON object per line. Lines are split on bytes before
 * decoding, so a line with invalid UTF-8 is one row error rather than a failed file.
 */

import { isUtf8 } from 'node:buffer'
import { LimitError } from '../../errors.js'
import type { Row } from '../dataset.js'
import { CarryBuffer } from './carry.js'
import { type ByteSource, byteChunks, withoutBom } from './compression.js'
import { type RecordBatch, type RowReadError, unreadableRecord } from './records.js'

export interface NdjsonOptions {
  /** rows per batch (default 5000) */
  batchRows?: number
  /** a line longer than this is LimitError (default 16 MiB) */
  maxRecordBytes?: number
}

const DEFAULT_BATCH_ROWS = 5000
const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024
const LF = 0x0a
const CR = 0x0d
const SPACE = 0x20
const TAB = 0x09

function isBlank(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i]
    if (c !== SPACE && c !== TAB && c !== CR) return false
  }
  return true
}

function kindOf(value: unknown): string {
  if (value === null) return 'null'
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`
}

/**
 * Deeper than this (the record itself is level 1), a record is unreadable: validation, the quarantine's
 * JSON and most consumers downstream recurse once per level, and 20,000 levels fit in 40 KB of text.
 * Real data nests a few levels.
 */
const MAX_NESTING_DEPTH = 64

/** Whether an object or array inside the record lies deeper than MAX_NESTING_DEPTH; iterative, so any depth is safe. */
function nestedTooDeep(row: Row): boolean {
  const stack: Array<{ value: object; depth: number }> = []
  const push = (value: unknown, depth: number) => {
    if (typeof value === 'object' && value !== null) stack.push({ value, depth })
  }
  for (const key of Object.keys(row)) push(row[key], 2)
  for (let item = stack.pop(); item; item = stack.pop()) {
    if (item.depth > MAX_NESTING_DEPTH) return true
    for (const inner of Object.values(item.value)) push(inner, item.depth + 1)
  }
  return false
}

function tooLong(line: number, maxRecordBytes: number): LimitError {
  return new LimitError(`NDJSON line ${line} is longer than ${maxRecordBytes} bytes`, {
    context: { line, maxRecordBytes },
  })
}

class NdjsonReader {
  private readonly maxRecordBytes: number
  private line = 0
  private record = 0
  private batchStart = 0
  private rows: Row[] = []
  private errors: RowReadError[] = []

  constructor(maxRecordBytes: number) {
    this.maxRecordBytes = maxRecordBytes
  }

  get pending(): number {
    return this.rows.length + this.errors.length
  }

  /** One line, `end` excluding the LF; a trailing CR (CRLF files) is dropped. */
  take(buf: Buffer, start: number, end: number): void {
    this.line++
    if (end - start > this.maxRecordBytes) throw tooLong(this.line, this.maxRecordBytes)
    if (end > start && buf[end - 1] === CR) end--
    if (isBlank(buf, start, end)) return
    const index = this.record++
    if (this.pending === 0) this.batchStart = index
    const fail = (problem: string) =>
      this.errors.push(unreadableRecord(index, `line ${this.line}: ${problem}`, buf, start, end))
    if (!isUtf8(buf.subarray(start, end))) return void fail('invalid UTF-8')
    let value: unknown
    try {
      value = JSON.parse(buf.toString('utf8', start, end))
    } catch (err) {
      return void fail(`invalid JSON: ${err instanceof Error ? err.message : String(err)}`)
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return void fail(`expected a JSON object, found ${kindOf(value)}`)
    }
    const row = value as Row
    if (nestedTooDeep(row)) return void fail(`nested deeper than ${MAX_NESTING_DEPTH} levels`)
    // Rows from every format follow one rule: a null property is an absent one (see Row).
    for (const key of Object.keys(row)) if (row[key] === null) delete row[key]
    this.rows.push(row)
  }

  takeBatch(): RecordBatch {
    const batch: RecordBatch = { rowStart: this.batchStart, rows: this.rows }
    if (this.errors.length > 0) batch.rowErrors = this.errors
    this.rows = []
    this.errors = []
    return batch
  }

  get nextLine(): number {
    return this.line + 1
  }
}

/**
 * Reads NDJSON in batches of `batchRows`. Each non-blank line gets the next zero-based row index; a
 * line that is not a JSON object (bad JSON, an array, a number, invalid UTF-8) is reported in
 * `rowErrors` under its index instead of `rows`. Blank lines are skipped, CRLF line ends and a
 * leading UTF-8 BOM are accepted, and top-level nulls are left out of the row as in every format.
 * Throws LimitError for a line longer than `maxRecordBytes`.
 */
export async function* readNdjson(input: ByteSource, options: NdjsonOptions = {}): AsyncGenerator<RecordBatch> {
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES
  const reader = new NdjsonReader(maxRecordBytes)
  const carry = new CarryBuffer()
  for await (const chunk of withoutBom(byteChunks(input))) {
    // the carried-over tail holds no line feed, so only the new bytes are searched
    let search = carry.length
    const buf = carry.append(chunk)
    let at = 0
    for (let lf = buf.indexOf(LF, search); lf !== -1; lf = buf.indexOf(LF, search)) {
      reader.take(buf, at, lf)
      at = lf + 1
      search = at
      if (reader.pending >= batchRows) yield reader.takeBatch()
    }
    carry.consume(at)
    // a line still without its end can already be too long
    if (carry.length > maxRecordBytes) throw tooLong(reader.nextLine, maxRecordBytes)
  }
  const buf = carry.bytes
  if (buf.length > 0) reader.take(buf, 0, buf.length)
  if (reader.pending > 0) yield reader.takeBatch()
}
