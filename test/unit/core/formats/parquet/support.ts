/** Shared fixtures for the Parquet tests. */
import type { OutputColumn, Row } from '../../../../../src/core/formats/columns.js'
import type { RangeReader } from '../../../../../src/core/formats/parquet.js'

export const ALL_TYPES: OutputColumn[] = [
  { name: 's', type: 'string' },
  { name: 'i32', type: 'int32' },
  { name: 'i64', type: 'int64' },
  { name: 'f64', type: 'double' },
  { name: 'b', type: 'boolean' },
  { name: 'ts_ms', type: 'timestamp', unit: 'ms' },
  { name: 'ts_us', type: 'timestamp', unit: 'us' },
  { name: 'd', type: 'date' },
]

/** Values in the canonical form the reader produces, so they must come back unchanged. */
export const ALL_TYPES_ROWS: Row[] = [
  {
    s: 'plain',
    i32: 0,
    i64: 0,
    f64: 0.5,
    b: true,
    ts_ms: '2026-11-23T10:15:30.123Z',
    ts_us: '2026-11-23T10:15:30.123456Z',
    d: '2026-11-23',
  },
  {
    s: 'ünïcødé ✓ 注文',
    i32: -2147483648,
    i64: '-9223372036854775808',
    f64: -1e308,
    b: false,
    ts_ms: '1969-12-31T23:59:59.999Z',
    ts_us: '0001-01-01T00:00:00.000001Z',
    d: '0001-01-01',
  },
  {
    s: '',
    i32: 2147483647,
    i64: '9223372036854775807',
    f64: 5e-324,
    b: true,
    ts_ms: '9999-12-31T23:59:59.999Z',
    ts_us: '1970-01-01T00:00:00.000000Z',
    d: '2000-02-29',
  },
  { s: null, i32: null, i64: null, f64: null, b: null, ts_ms: null, ts_us: null, d: null },
  { i64: Number.MAX_SAFE_INTEGER, f64: Number.NaN, d: '1969-12-31' },
]

/** Readers leave null columns out of the row (see Row): the expected shape of a written row. */
export function withoutNulls(row: Row): Row {
  return Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null && value !== undefined))
}

/** A range reader over bytes that records every request. */
export function recordingReader(bytes: Uint8Array) {
  const requests: Array<[number, number]> = []
  const reader: RangeReader = {
    size: bytes.byteLength,
    read: async (start, end) => {
      requests.push([start, end])
      return bytes.slice(start, end)
    },
  }
  return { reader, requests }
}
