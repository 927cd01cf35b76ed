/**
 * What single sample values, and a Parquet column's declared type, say about a column: the
 * vocabulary `inferColumn` reasons with. CSV text is judged by the CSV reader's own converter, so a
 * type inferred here is one that converter turns the same text into.
 */
import type { OutputColumnType } from '../formats/columns.js'
import { columnConverter } from '../formats/csv.js'
import type { ColumnInfo } from '../formats/parquet.js'

/** The JSON Schema types an inferred column can have besides `null`, in the order a schema lists them. */
export const JSON_TYPES = ['integer', 'number', 'boolean', 'string'] as const
export type JsonType = (typeof JSON_TYPES)[number]

/** A JSON value's kind: a JSON type, or one that no type restriction can admit alongside the others. */
export type ValueKind = JsonType | 'nested' | 'nonfinite'

/** A CSV text's kind: what the converter makes of it, `lossy` when the number it makes reads back differently. */
export type TextKind = JsonType | 'null' | 'lossy'

/** A string format Ferry's validators check natively (validation/formats.ts), in detection order. */
export const STRING_FORMATS = ['date-time', 'date', 'uuid', 'email'] as const
export type StringFormat = (typeof STRING_FORMATS)[number]

export interface OutputType {
  type: OutputColumnType
  unit?: 'ms' | 'us'
}

/** What a Parquet column's footer type promises its values are; `nested` for groups, lists and maps. */
export type SourceHint = 'nested' | { json: JsonType; format?: StringFormat; output?: OutputType }

/** The kind of a value in a row as the readers give them, where anything but a scalar is an object or array. */
export function valueKind(value: unknown): ValueKind {
  if (typeof value === 'boolean') return 'boolean'
  if (typeof value === 'string') return 'string'
  if (typeof value !== 'number') return 'nested'
  // an integer beyond 2^53 has already lost digits: only a double column holds it as read
  if (Number.isSafeInteger(value)) return 'integer'
  // JSON Schema numbers exclude NaN and ±Infinity (ajv's strictNumbers), which Parquet doubles can hold
  return Number.isFinite(value) ? 'number' : 'nonfinite'
}

const asInteger = columnConverter({ type: 'integer' })
const asNumber = columnConverter({ type: 'number' })
const asBoolean = columnConverter({ type: 'boolean' })
const asNullable = columnConverter({ type: ['boolean', 'null'] })

/** Digits a double is guaranteed to carry through decimal text and back (DBL_DIG). */
const EXACT_DIGITS = 15

/**
 * Whether decimal text the converter read as `value` means that number exactly as written: no
 * padding or leading zeros (a zip code, an account number) and no more digits than a double keeps.
 * Trailing fraction zeros (`12.50`) and exponents only spell the same number differently.
 */
function exactDecimal(text: string, value: number): boolean {
  if (!Number.isFinite(value) || text !== text.trim() || /^[+-]?0\d/.test(text)) return false
  const mantissa = text.replace(/[eE].*$/, '').replace(/[^\d]/g, '')
  return mantissa.replace(/^0+/, '').replace(/0+$/, '').length <= EXACT_DIGITS
}

/** How the CSV reader would convert one field's text if the schema allowed each type in turn. */
export function textKind(text: string): TextKind {
  const integer = asInteger(text)
  if (typeof integer === 'number') return String(integer) === text ? 'integer' : 'lossy'
  const number = asNumber(text)
  if (typeof number === 'number') return exactDecimal(text, number) ? 'number' : 'lossy'
  if (typeof asBoolean(text) === 'boolean') return text === text.trim() ? 'boolean' : 'string'
  // the converter drops `null` (any case) from a column typed with null but not string
  return asNullable(text) === text ? 'string' : 'null'
}

const NESTED_LOGICAL = /^(?:LIST|MAP|MAP_KEY_VALUE|JSON|BSON|VARIANT)\b/
const DOUBLE_LOGICAL = /^(?:DECIMAL|FLOAT16)\b/
/** INT32 annotations whose values do not fit a signed 32-bit column */
const WIDE_INT32_LOGICAL = /^(?:INTEGER\(32,unsigned\)|UINT_32)$/

/**
 * The schema and output type a Parquet column's footer implies (physical and logical type as
 * `parquetMetadata` reports them, both spellings of the logical type: `TIMESTAMP(MICROS,UTC)` and the
 * legacy `TIMESTAMP_MICROS`). Undefined when the footer says nothing the values do not.
 */
export function parquetHint({ physicalType, logicalType = '' }: ColumnInfo): SourceHint | undefined {
  if (physicalType === 'GROUP' || NESTED_LOGICAL.test(logicalType)) return 'nested'
  if (physicalType === 'FLOAT' || physicalType === 'DOUBLE' || DOUBLE_LOGICAL.test(logicalType)) {
    return { json: 'number', output: { type: 'double' } }
  }
  if (logicalType === 'DATE') return { json: 'string', format: 'date', output: { type: 'date' } }
  if (physicalType === 'INT96' || logicalType.startsWith('TIMESTAMP')) {
    // the reader writes micro- and nanosecond (INT96) timestamps with all their digits
    const unit = logicalType.includes('MILLIS') ? 'ms' : 'us'
    return { json: 'string', format: 'date-time', output: { type: 'timestamp', unit } }
  }
  if (physicalType === 'BOOLEAN') return { json: 'boolean', output: { type: 'boolean' } }
  if (physicalType === 'INT32') {
    return { json: 'integer', output: { type: WIDE_INT32_LOGICAL.test(logicalType) ? 'int64' : 'int32' } }
  }
  if (physicalType === 'INT64') return { json: 'integer', output: { type: 'int64' } }
  // byte arrays: text whose output type its values' format decides
  return physicalType.endsWith('BYTE_ARRAY') ? { json: 'string' } : undefined
}
