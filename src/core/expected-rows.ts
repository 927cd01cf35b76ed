/**
 * Dataset tests (`ferry test`) compare what the engine wrote with the rows a user expects, written as
 * NDJSON: timestamps as RFC 3339 text (any offset; compared as instants), dates as YYYY-MM-DD, a
 * missing key as null. Pure: rows in, readable differences out.
 */
import { isDeepStrictEqual } from 'node:util'
import type { OutputColumn, Row } from './formats/columns.js'
import { epochFromIsoTimestamp } from './temporal.js'

/** Differences listed per case, at most: the first ones say what is wrong, the rest is noise. */
const MAX_DIFFERENCES = 10

const MAX_DATE_MICROS = 8_640_000_000_000_000_000n

/** `2026-11-23T08:15:00Z`: a timestamp as expected.ndjson writes it, fractions only when present. */
function timestampText(value: unknown): unknown {
  if (typeof value !== 'string') return value
  const micros = epochFromIsoTimestamp(value, 'us')
  // beyond a Date's range (year 275760) the text stays as the reader gave it
  if (micros === undefined || micros > MAX_DATE_MICROS || micros < -MAX_DATE_MICROS) return value
  const text = new Date(Number(micros / 1000n)).toISOString()
  const fraction = micros % 1_000_000n
  const head = text.slice(0, 19)
  if (fraction === 0n) return `${head}Z`
  const digits = (fraction < 0n ? fraction + 1_000_000n : fraction).toString().padStart(6, '0')
  return `${head}.${digits.replace(/0{3}$/, '')}Z`
}

/**
 * An output row as expected.ndjson holds it: every output column in order, null where empty,
 * timestamps in the canonical form above. The engine's readers give row-model values (see
 * formats/parquet/values.ts): ISO text for timestamps and dates, safe integers as numbers.
 */
export function canonicalRow(row: Row, columns: readonly OutputColumn[]): Row {
  const out: Row = {}
  for (const { name, type } of columns) {
    const value = row[name] ?? null
    out[name] = type === 'timestamp' ? timestampText(value) : value
  }
  return out
}

function same(type: OutputColumn['type'] | undefined, expected: unknown, actual: unknown): boolean {
  if (type === 'timestamp' && typeof expected === 'string' && typeof actual === 'string') {
    const a = epochFromIsoTimestamp(expected, 'us')
    return a !== undefined && a === epochFromIsoTimestamp(actual, 'us')
  }
  return isDeepStrictEqual(expected ?? null, actual ?? null)
}

const show = (value: unknown) => JSON.stringify(value ?? null)

/** Lines saying how the written rows differ from the expected ones (row numbers are 1-based lines). */
export function compareRows(
  expected: readonly Row[],
  actual: readonly Row[],
  columns: readonly OutputColumn[],
): string[] {
  const types = new Map(columns.map((c) => [c.name, c.type]))
  const lines: string[] = []
  const unknown = new Set(expected.flatMap((row) => Object.keys(row)).filter((name) => !types.has(name)))
  if (unknown.size > 0)
    lines.push(`expected.ndjson names columns the dataset does not write: ${[...unknown].join(', ')}`)
  if (expected.length !== actual.length) lines.push(`expected ${expected.length} row(s), got ${actual.length}`)
  for (let i = 0; i < Math.max(expected.length, actual.length) && lines.length < MAX_DIFFERENCES; i++) {
    const want = expected[i]
    const got = actual[i]
    if (!want) lines.push(`row ${i + 1}: unexpected ${show(canonicalRow(got!, columns))}`)
    else if (!got) lines.push(`row ${i + 1}: missing ${show(want)}`)
    else {
      for (const { name } of columns) {
        if (!same(types.get(name), want[name], got[name]) && lines.length < MAX_DIFFERENCES) {
          lines.push(
            `row ${i + 1}: ${name}: expected ${show(want[name])}, got ${show(timestampTextOf(types.get(name), got[name]))}`,
          )
        }
      }
    }
  }
  return lines
}

function timestampTextOf(type: OutputColumn['type'] | undefined, value: unknown): unknown {
  return type === 'timestamp' ? timestampText(value) : value
}

/** One rejected row as rejected.ndjson states it: the quarantine line, or the parts of it that matter. */
export interface ExpectedRejection {
  row_number: number
  row?: Row
  raw?: string
  /** each expected error must match an actual one in every field it gives */
  errors?: Array<{ instancePath?: string; keyword?: string; message?: string }>
}

/** Lines saying how the rejected rows differ from rejected.ndjson (missing file: none expected). */
export function compareRejected(
  expected: readonly ExpectedRejection[],
  actual: readonly ExpectedRejection[],
): string[] {
  const lines: string[] = []
  const byRow = new Map(actual.map((line) => [line.row_number, line]))
  const wanted = new Set(expected.map((line) => line.row_number))
  for (const want of expected) {
    const got = byRow.get(want.row_number)
    if (!got) {
      lines.push(`record ${want.row_number}: expected to be rejected, was written`)
      continue
    }
    if (want.row !== undefined && !isDeepStrictEqual(want.row, got.row)) {
      lines.push(`record ${want.row_number}: row expected ${show(want.row)}, got ${show(got.row)}`)
    }
    if (want.raw !== undefined && want.raw !== got.raw)
      lines.push(`record ${want.row_number}: raw expected ${show(want.raw)}, got ${show(got.raw)}`)
    for (const error of want.errors ?? []) {
      const found = (got.errors ?? []).some((e) =>
        Object.entries(error).every(([field, value]) => e[field as keyof typeof e] === value),
      )
      if (!found) lines.push(`record ${want.row_number}: no error ${show(error)} among ${show(got.errors)}`)
    }
  }
  for (const got of actual) {
    if (!wanted.has(got.row_number)) {
      lines.push(
        `record ${got.row_number}: rejected unexpectedly: ${(got.errors ?? []).map((e) => `${e.instancePath || '(record)'} ${e.message}`).join('; ')}`,
      )
    }
  }
  return lines.slice(0, MAX_DIFFERENCES)
}
