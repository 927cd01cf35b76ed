/**
 * RFC 4180 CSV to rows, streaming. The parser works on bytes: the delimiters are ASCII and never
 * occur inside a UTF-8 multi-byte sequence, so records can be split before decoding, and a record
 * with invalid UTF-8 becomes one row error instead of failing the file or turning into U+FFFD.
 */

import { isAscii, isUtf8 } from 'node:buffer'
import { FormatError, LimitError, UnsupportedError } from '../../errors.js'
import type { JsonSchema, Row } from '../dataset.js'
import { CarryBuffer } from './carry.js'
import { type ByteSource, byteChunks, withoutBom } from './compression.js'
import { type RecordBatch, type RowReadError, unreadableRecord } from './records.js'

export interface CsvOptions {
  /** the dataset's row schema: each column is typed by `properties[name].type` (see `columnConverter`) */
  schema?: JsonSchema
  /** rows per batch (default 5000) */
  batchRows?: number
  /** a record longer than this is an unterminated quote or not CSV: LimitError (default 16 MiB) */
  maxRecordBytes?: number
  /** the field separator; default `,` (see CSV_DELIMITERS) */
  delimiter?: CsvDelimiter
}

/** Separators exports use: comma (RFC 4180), semicolon (locales with a decimal comma), tab, pipe. */
export const CSV_DELIMITERS = [',', ';', '\t', '|'] as const
export type CsvDelimiter = (typeof CSV_DELIMITERS)[number]

const DEFAULT_BATCH_ROWS = 5000
const DEFAULT_MAX_RECORD_BYTES = 16 * 1024 * 1024

const QUOTE = 0x22
const LF = 0x0a
const CR = 0x0d

/** Field kinds, so a quoted field's `""` escapes are undone only where there can be any. */
const PLAIN = 0
const QUOTED = 1
const ESCAPED = 2

/** One scanned record: field spans into the buffer it was scanned from. */
class Spans {
  starts: number[] = []
  ends: number[] = []
  kinds: number[] = []
  /** line breaks inside quoted fields, to keep line numbers right */
  innerLines = 0
  problem: string | undefined

  reset(): void {
    this.starts.length = 0
    this.ends.length = 0
    this.kinds.length = 0
    this.innerLines = 0
    this.problem = undefined
  }

  push(start: number, end: number, kind: number): void {
    this.starts.push(start)
    this.ends.push(end)
    this.kinds.push(kind)
  }
}

/** Where the record ends (its terminator excluded) and where the next one starts. */
interface RecordEnd {
  end: number
  next: number
}

function countLineFeeds(buf: Uint8Array, start: number, end: number): number {
  let count = 0
  for (let i = buf.indexOf(LF, start); i !== -1 && i < end; i = buf.indexOf(LF, i + 1)) count++
  return count
}

/**
 * What follows a field: a comma (another field), a line end or the end of input (the record ends),
 * 'more' when the buffer ends too early to tell, or 'text' for anything else.
 */
function afterField(
  buf: Uint8Array,
  i: number,
  final: boolean,
  delimiter: number,
): RecordEnd | 'more' | 'field' | 'text' {
  if (i >= buf.length) return final ? { end: i, next: i } : 'more'
  const c = buf[i]
  if (c === delimiter) return 'field'
  if (c === LF) return { end: i, next: i + 1 }
  if (c !== CR) return 'text'
  // a lone CR ends a line too (old Mac exports); a CR at the end of a chunk may be half of CRLF
  if (i + 1 >= buf.length && !final) return 'more'
  return { end: i, next: buf[i + 1] === LF ? i + 2 : i + 1 }
}

/**
 * Scans one record starting at `start`. Returns undefined when the buffer ends before the record is
 * known to be complete (unless `final`). Text after a closing quote sets `spans.problem` and the
 * record ends at the next line break, so the records after it still read; a quote never closed sets
 * it too, but that record can only run to the end of the input.
 */
function scanRecord(
  buf: Uint8Array,
  start: number,
  final: boolean,
  spans: Spans,
  delimiter: number,
): RecordEnd | undefined {
  spans.reset()
  let i = start
  for (;;) {
    if (i < buf.length && buf[i] === QUOTE) {
      let j = i + 1
      let kind = QUOTED
      let close = -1
      while (close === -1) {
        const q = buf.indexOf(QUOTE, j)
        if (q === -1 || (q + 1 >= buf.length && !final)) {
          if (!final) return undefined
          spans.problem ??= 'unterminated quoted field'
          spans.innerLines += countLineFeeds(buf, i, buf.length)
          spans.push(i + 1, buf.length, kind)
          return { end: buf.length, next: buf.length }
        }
        if (buf[q + 1] === QUOTE) {
          kind = ESCAPED
          j = q + 2
        } else close = q
      }
      spans.innerLines += countLineFeeds(buf, i, close)
      spans.push(i + 1, close, kind)
      i = close + 1
      const after = afterField(buf, i, final, delimiter)
      if (after === 'more') return undefined
      if (after === 'field') {
        i++
        continue
      }
      if (after !== 'text') return after
      // text after the closing quote: report it, then resynchronise on the next unquoted delimiter
      spans.problem ??= 'unexpected text after a closing quote'
    }
    let j = i
    while (j < buf.length) {
      const c = buf[j]
      if (c === delimiter || c === LF || c === CR) break
      j++
    }
    const after = afterField(buf, j, final, delimiter)
    if (after === 'more') return undefined
    spans.push(i, j, PLAIN)
    if (after === 'field') {
      i = j + 1
      continue
    }
    // the scan stopped on a delimiter or the end, so this is never 'text'
    return after as RecordEnd
  }
}

type Convert = (text: string) => unknown

const INTEGER = /^[+-]?\d+$/
const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/
const BOOLEAN = /^(?:true|false)$/i
const NULL = /^null$/i
const OMIT = Symbol('omit')

/**
 * Text to the JSON type the schema asks for. Text that does not parse as an allowed type stays a
 * string so the validator rejects it with the schema's own message, and in an integer-only column an
 * integer beyond 2^53 stays a string rather than silently losing digits (as Parquet INT64s do).
 * `null` (any case) in a column that allows null but not strings is a null, and nulls are left out
 * of rows like empty fields.
 */
export function columnConverter(property: unknown): Convert {
  const declared = (property as { type?: unknown } | undefined)?.type
  const types = new Set(Array.isArray(declared) ? declared : typeof declared === 'string' ? [declared] : [])
  const integer = types.has('integer')
  const number = types.has('number')
  const boolean = types.has('boolean')
  const nullable = types.has('null') && !types.has('string')
  if (!integer && !number && !boolean && !nullable) return (text) => text
  return (text) => {
    const trimmed = text.trim()
    if ((integer || number) && INTEGER.test(trimmed)) {
      const value = Number(trimmed)
      return Number.isSafeInteger(value) || number ? value : text
    }
    if (number && NUMBER.test(trimmed)) return Number(trimmed)
    if (boolean && BOOLEAN.test(trimmed)) return trimmed.toLowerCase() === 'true'
    if (nullable && NULL.test(trimmed)) return OMIT
    return text
  }
}

function tooLong(line: number, maxRecordBytes: number): LimitError {
  return new LimitError(`CSV record at line ${line} is longer than ${maxRecordBytes} bytes`, {
    context: { line, maxRecordBytes },
  })
}

function describeProblem(line: number, problem: string): string {
  return `line ${line}: ${problem}`
}

class CsvReader {
  private readonly spans = new Spans()
  private names: string[] | undefined
  private converters: Convert[] = []
  /** physical line where the next record starts (1-based) */
  private line = 1
  private record = 0
  private rows: Row[] = []
  private errors: RowReadError[] = []
  private batchStart = 0

  private readonly options: CsvOptions
  private readonly maxRecordBytes: number
  private readonly delimiter: number

  constructor(options: CsvOptions) {
    this.options = options
    this.maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES
    this.delimiter = (options.delimiter ?? ',').charCodeAt(0)
  }

  get pending(): number {
    return this.rows.length + this.errors.length
  }

  /**
   * Consumes complete records in `buf` from `start` until a batch is full; returns where the
   * unconsumed part begins.
   */
  consume(buf: Buffer, start: number, final: boolean, batchRows: number): number {
    let at = start
    while (at < buf.length && this.pending < batchRows) {
      const end = scanRecord(buf, at, final, this.spans, this.delimiter)
      if (!end) break
      if (end.end - at > this.maxRecordBytes) throw tooLong(this.line, this.maxRecordBytes)
      this.take(buf, at, end.end)
      this.line += 1 + this.spans.innerLines
      at = end.next
    }
    return at
  }

  private take(buf: Buffer, start: number, end: number): void {
    const { spans } = this
    if (end === start && spans.starts.length === 1) return // blank line
    const line = this.line
    if (!this.names) {
      this.names = this.readHeader(buf, start, end, line)
      return
    }
    const index = this.record++
    if (this.pending === 0) this.batchStart = index
    // An ASCII record (the usual case) is decoded once and cut into fields by byte offsets, which
    // are then also character offsets; other records decode field by field.
    const isAsciiRecord = isAscii(buf.subarray(start, end))
    const problem = this.recordProblem(buf, start, end, isAsciiRecord)
    if (problem) {
      this.errors.push(unreadableRecord(index, describeProblem(line, problem), buf, start, end))
      return
    }
    const ascii = isAsciiRecord ? buf.toString('latin1', start, end) : undefined
    const row: Row = {}
    for (let f = 0; f < spans.starts.length; f++) {
      const value = ascii === undefined ? this.field(buf, f) : this.asciiField(ascii, start, f)
      if (value === '') continue
      const typed = this.converters[f]!(value)
      if (typed !== OMIT) row[this.names[f]!] = typed
    }
    this.rows.push(row)
  }

  private recordProblem(buf: Buffer, start: number, end: number, ascii: boolean): string | undefined {
    const { spans } = this
    if (spans.problem) return spans.problem
    const expected = this.names!.length
    if (spans.starts.length !== expected) return `expected ${expected} fields, found ${spans.starts.length}`
    if (!ascii && !isUtf8(buf.subarray(start, end))) return 'invalid UTF-8'
    return undefined
  }

  private asciiField(record: string, start: number, f: number): string {
    const { spans } = this
    const text = record.slice(spans.starts[f]! - start, spans.ends[f]! - start)
    return spans.kinds[f] === ESCAPED ? text.replaceAll('""', '"') : text
  }

  private field(buf: Buffer, f: number): string {
    const { spans } = this
    const text = buf.toString('utf8', spans.starts[f], spans.ends[f])
    return spans.kinds[f] === ESCAPED ? text.replaceAll('""', '"') : text
  }

  private readHeader(buf: Buffer, start: number, end: number, line: number): string[] {
    if (this.spans.problem) throw new FormatError(`CSV header: ${describeProblem(line, this.spans.problem)}`)
    if (!isUtf8(buf.subarray(start, end))) throw new FormatError(`CSV header: line ${line}: invalid UTF-8`)
    const names = this.spans.starts.map((_, f) => this.field(buf, f))
    const seen = new Set<string>()
    for (const [index, name] of names.entries()) {
      if (name === '') throw new FormatError(`CSV header: column ${index + 1} has no name`)
      if (seen.has(name)) throw new FormatError(`CSV header: column ${JSON.stringify(name)} appears twice`)
      if (name === '__proto__') {
        throw new UnsupportedError(
          'csv-column-name',
          'a column named __proto__ cannot be represented as a row property',
        )
      }
      seen.add(name)
    }
    const properties = (this.options.schema?.properties ?? {}) as Record<string, unknown>
    this.converters = names.map((name) => columnConverter(Object.hasOwn(properties, name) ? properties[name] : {}))
    return names
  }

  /** The rows and errors gathered since the last batch, handed over and forgotten. */
  takeBatch(): RecordBatch {
    const batch: RecordBatch = { rowStart: this.batchStart, rows: this.rows, header: this.names }
    if (this.errors.length > 0) batch.rowErrors = this.errors
    this.rows = []
    this.errors = []
    return batch
  }

  get header(): readonly string[] | undefined {
    return this.names
  }

  get currentLine(): number {
    return this.line
  }
}

/**
 * Reads CSV with a header row into rows keyed by the header names, in batches of `batchRows`. Each
 * data record gets the next zero-based row index; a record that cannot become a row (wrong field
 * count, bad quoting, invalid UTF-8) is reported in `rowErrors` under its index instead of `rows`, so
 * the engine can quarantine it and go on. Empty fields are left out of the row (missing); blank
 * lines are skipped; a leading UTF-8 BOM is dropped; CRLF, LF and CR line ends are all accepted.
 *
 * Throws FormatError for a missing, malformed or duplicate-named header, UnsupportedError for a
 * `__proto__` column, and LimitError for a record longer than `maxRecordBytes`.
 */
export async function* readCsv(input: ByteSource, options: CsvOptions = {}): AsyncGenerator<RecordBatch> {
  const batchRows = options.batchRows ?? DEFAULT_BATCH_ROWS
  const reader = new CsvReader(options)
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES
  const carry = new CarryBuffer()
  // An incomplete record is rescanned only once the buffer has doubled, so a long record costs
  // linear time rather than one rescan per chunk.
  let waitFor = 0
  let seenBytes = 0
  for await (const chunk of withoutBom(byteChunks(input))) {
    seenBytes += chunk.byteLength
    const buf = carry.append(chunk)
    if (buf.length < waitFor) continue
    let at = 0
    for (;;) {
      at = reader.consume(buf, at, false, batchRows)
      if (reader.pending < batchRows) break
      yield reader.takeBatch()
    }
    carry.consume(at)
    // a record still without its end can already be too long (an unterminated quote, say)
    if (carry.length > maxRecordBytes) throw tooLong(reader.currentLine, maxRecordBytes)
    waitFor = carry.length * 2
  }
  const buf = carry.bytes
  let at = 0
  for (;;) {
    at = reader.consume(buf, at, true, batchRows)
    if (at >= buf.length) break
    yield reader.takeBatch()
  }
  if (!reader.header) {
    throw new FormatError(seenBytes === 0 ? 'empty CSV file: no header row' : 'CSV file has no header row')
  }
  if (reader.pending > 0) yield reader.takeBatch()
}

/**
 * The header of a CSV whose first bytes are given (a ranged read of the object's start, say): what
 * `ferry inspect` shows without reading the file. Throws like `readCsv` for a bad header, and
 * FormatError when the bytes end before the header does.
 */
export function readCsvHeader(start: Uint8Array, delimiter?: CsvDelimiter): string[] {
  const reader = new CsvReader({ delimiter })
  let buf = Buffer.from(start.buffer, start.byteOffset, start.byteLength)
  if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) buf = buf.subarray(3)
  reader.consume(buf, 0, false, 1)
  if (!reader.header) throw new FormatError(`no complete CSV header line in the first ${start.byteLength} bytes`)
  return [...reader.header]
}
