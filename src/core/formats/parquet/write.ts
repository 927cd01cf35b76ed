import type { SchemaElement } from 'hyparquet'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { FerryError } from '../../../errors.js'
import { daysFromIsoDate, epochFromIsoTimestamp } from '../../temporal.js'
import type { OutputColumn, OutputColumnType, Row } from '../columns.js'

export interface WriteOptions {
  /** rows per row group; default 100,000 */
  rowGroupSize?: number
}

const DEFAULT_ROW_GROUP_ROWS = 100_000
const INT32_MIN = -(2 ** 31)
const INT32_MAX = 2 ** 31 - 1
const INT64_MIN = -(2n ** 63n)
const INT64_MAX = 2n ** 63n - 1n
const MS_PER_DAY = 86_400_000

function physicalElement(column: OutputColumn): Omit<SchemaElement, 'name' | 'repetition_type'> {
  switch (column.type) {
    case 'string':
      return { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } }
    case 'int32':
      return { type: 'INT32' }
    case 'int64':
      return { type: 'INT64' }
    case 'double':
      return { type: 'DOUBLE' }
    case 'boolean':
      return { type: 'BOOLEAN' }
    case 'date':
      return { type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } }
    case 'timestamp': {
      const micros = column.unit === 'us'
      return {
        type: 'INT64',
        converted_type: micros ? 'TIMESTAMP_MICROS' : 'TIMESTAMP_MILLIS',
        logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: micros ? 'MICROS' : 'MILLIS' },
      }
    }
  }
}

function toInt64(value: unknown): bigint | undefined {
  let big: bigint | undefined
  if (typeof value === 'bigint') big = value
  else if (typeof value === 'number' && Number.isSafeInteger(value)) big = BigInt(value)
  // decimal strings are how the reader hands back INT64 values beyond 2^53, so accept them to round-trip
  else if (typeof value === 'string' && /^-?\d{1,19}$/.test(value)) big = BigInt(value)
  return big !== undefined && big >= INT64_MIN && big <= INT64_MAX ? big : undefined
}

function toTimestamp(value: unknown, column: OutputColumn): bigint | undefined {
  const unit = column.unit === 'us' ? 'us' : 'ms'
  if (typeof value === 'string') return epochFromIsoTimestamp(value, unit)
  if (value instanceof Date && !Number.isNaN(value.getTime())) {
    return BigInt(value.getTime()) * (unit === 'us' ? 1000n : 1n)
  }
  return undefined
}

function toDate(value: unknown): number | undefined {
  if (typeof value === 'string') return daysFromIsoDate(value)
  if (value instanceof Date && !Number.isNaN(value.getTime())) return Math.floor(value.getTime() / MS_PER_DAY)
  return undefined
}

/** Physical value for a non-null input, or undefined when the input does not fit the column type. */
const ENCODERS: Record<OutputColumnType, (value: unknown, column: OutputColumn) => unknown> = {
  string: (value) => (typeof value === 'string' ? value : undefined),
  int32: (value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX
      ? value
      : undefined,
  int64: toInt64,
  double: (value) => (typeof value === 'number' ? value : undefined),
  boolean: (value) => (typeof value === 'boolean' ? value : undefined),
  timestamp: toTimestamp,
  date: toDate,
}

function describe(value: unknown): string {
  const text = typeof value === 'bigint' ? `${value}n` : JSON.stringify(value)
  return `${typeof value} ${text === undefined ? String(value) : text.slice(0, 60)}`
}

function columnValues(column: OutputColumn, rows: readonly Row[]): unknown[] {
  const encode = ENCODERS[column.type]
  const nullable = column.nullable ?? true
  const values = new Array<unknown>(rows.length)
  for (let i = 0; i < rows.length; i++) {
    const value = rows[i]![column.name]
    if (value === null || value === undefined) {
      if (!nullable) {
        throw new FerryError(
          'FERRY_INTERNAL',
          `output column ${column.name} is not nullable but row ${i} has no value`,
          {
            context: { column: column.name, row: i },
          },
        )
      }
      values[i] = null
      continue
    }
    const encoded = encode(value, column)
    if (encoded === undefined) {
      // The transform produced a value its own output columns do not allow: a dataset bug, not bad data.
      throw new FerryError(
        'FERRY_INTERNAL',
        `output column ${column.name} (${column.type}) cannot hold row ${i}'s value: ${describe(value)}`,
        { context: { column: column.name, row: i } },
      )
    }
    values[i] = encoded
  }
  return values
}

/**
 * Writes rows as a snappy-compressed Parquet file with exactly the given typed columns (any other row
 * properties are ignored). Zero rows give a valid file with the schema and no row groups. Throws
 * FerryError FERRY_INTERNAL when a value does not fit its column: strings must be strings, int64
 * takes safe integers, bigints or decimal strings, timestamps take RFC 3339 strings or Dates, dates
 * take `YYYY-MM-DD` strings or Dates.
 */
export function writeParquet(
  columns: readonly OutputColumn[],
  rows: readonly Row[],
  options: WriteOptions = {},
): Uint8Array {
  const schema: SchemaElement[] = [
    { name: 'root', num_children: columns.length },
    ...columns.map(
      (column): SchemaElement => ({
        name: column.name,
        repetition_type: (column.nullable ?? true) ? 'OPTIONAL' : 'REQUIRED',
        ...physicalElement(column),
      }),
    ),
  ]
  const columnData = columns.map((column) => ({ name: column.name, data: columnValues(column, rows) }))
  const buffer = parquetWriteBuffer({
    columnData,
    schema,
    codec: 'SNAPPY',
    rowGroupSize: options.rowGroupSize ?? DEFAULT_ROW_GROUP_ROWS,
    createdBy: 'ferry',
  })
  return new Uint8Array(buffer)
}
