/**
 * Two Parquet readers that share no code with Ferry, each giving rows in one plain form to compare:
 * DuckDB (C++, @duckdb/node-api) and arrow-rs (Rust compiled to WebAssembly, parquet-wasm, its Arrow
 * table read by apache-arrow). Values come back exactly: INT64 and timestamps (in the column's unit
 * since 1970) as decimal text, dates as days since 1970, doubles as numbers (NaN and -0 included).
 */
import type { DuckDBConnection } from '@duckdb/node-api'
import { tableFromIPC, type Vector } from 'apache-arrow'
import { readParquet } from 'parquet-wasm'
import type { OutputColumn, Row } from '../../../src/core/formats/columns.js'
import { daysFromIsoDate, epochFromIsoTimestamp } from '../../../src/core/temporal.js'

export type Value = string | number | boolean | null

export interface ReadBack {
  /** each column's type as the reader names it */
  types: Record<string, string>
  rows: Value[][]
}

const MS_PER_DAY = 86_400_000

/** A written value in the plain form the readers give. */
function plain(column: OutputColumn, value: unknown): Value {
  if (value === null || value === undefined) return null
  switch (column.type) {
    case 'string':
    case 'boolean':
      return value as string | boolean
    case 'int32':
    case 'double':
      return Number(value)
    case 'int64':
      return BigInt(value as string | number | bigint).toString()
    case 'timestamp': {
      const unit = column.unit === 'us' ? 'us' : 'ms'
      if (value instanceof Date) return (BigInt(value.getTime()) * (unit === 'us' ? 1000n : 1n)).toString()
      return epochFromIsoTimestamp(value as string, unit)!.toString()
    }
    case 'date':
      return value instanceof Date ? Math.floor(value.getTime() / MS_PER_DAY) : daysFromIsoDate(value as string)!
  }
}

/** The rows as written, in the readers' form. */
export function expectedRows(columns: readonly OutputColumn[], rows: readonly Row[]): Value[][] {
  return rows.map((row) => columns.map((column) => plain(column, row[column.name])))
}

function duckdbExpression(column: OutputColumn): string {
  const name = `"${column.name}"`
  switch (column.type) {
    case 'int64':
      return `${name}::VARCHAR`
    case 'timestamp':
      return `${column.unit === 'us' ? 'epoch_us' : 'epoch_ms'}(${name})::VARCHAR`
    case 'date':
      return `datediff('day', DATE '1970-01-01', ${name})::INTEGER`
    default:
      return name
  }
}

export async function duckdbRead(
  duck: DuckDBConnection,
  path: string,
  columns: readonly OutputColumn[],
): Promise<ReadBack> {
  const described = (await duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`)).getRowObjectsJson()
  const types = Object.fromEntries(described.map((row) => [String(row.column_name), String(row.column_type)]))
  const select = columns.map(duckdbExpression).join(', ')
  const result = await duck.runAndReadAll(`SELECT ${select} FROM read_parquet('${path}')`)
  return { types, rows: result.getRows() as Value[][] }
}

function arrowValue(column: OutputColumn, vector: Vector, raw: ArrayLike<unknown> | undefined, i: number): Value {
  if (!vector.isValid(i)) return null
  switch (column.type) {
    case 'int64':
      return String(vector.get(i))
    case 'timestamp':
      // the raw INT64 in the column's unit: `get` would give float milliseconds
      return String(raw![i])
    case 'date':
      return (vector.get(i) as number) / MS_PER_DAY
    default:
      return vector.get(i) as Value
  }
}

export function arrowRead(bytes: Uint8Array, columns: readonly OutputColumn[]): ReadBack {
  const table = tableFromIPC(readParquet(bytes).intoIPCStream())
  const types = Object.fromEntries(table.schema.fields.map((field) => [field.name, String(field.type)]))
  const vectors = columns.map((column) => table.getChild(column.name)!)
  const raws = columns.map((column, c) => (column.type === 'timestamp' ? vectors[c]!.toArray() : undefined))
  const rows = Array.from({ length: table.numRows }, (_, i) =>
    columns.map((column, c) => arrowValue(column, vectors[c]!, raws[c], i)),
  )
  return { types, rows }
}

/** The type names each reader gives Ferry's output columns. */
export function duckdbType(column: OutputColumn): string {
  const types = { string: 'VARCHAR', int32: 'INTEGER', int64: 'BIGINT', double: 'DOUBLE', boolean: 'BOOLEAN' }
  if (column.type === 'timestamp') return 'TIMESTAMP WITH TIME ZONE'
  if (column.type === 'date') return 'DATE'
  return types[column.type]
}

export function arrowType(column: OutputColumn): string {
  const types = { string: 'Utf8', int32: 'Int32', int64: 'Int64', double: 'Float64', boolean: 'Bool' }
  if (column.type === 'timestamp') return `Timestamp<${column.unit === 'us' ? 'MICROSECOND' : 'MILLISECOND'}, UTC>`
  if (column.type === 'date') return 'Date32<DAY>'
  return types[column.type]
}
