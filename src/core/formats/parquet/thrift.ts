/**
 * Shape checks for Thrift structures as hyparquet's compact-protocol reader returns them (objects of
 * `field_N`, arrays, numbers, BigInts, bytes, booleans), before hyparquet's own code maps them. That
 * code trusts every field's type, so damaged bytes that still parse would otherwise surface as a
 * JavaScript TypeError deep inside it; checked here, they become a message naming the field.
 */
import type { DataReader } from 'hyparquet'
import { deserializeTCompactProtocol } from 'hyparquet/src/thrift.js'

type Scalar = 'i32' | 'i64' | 'bool' | 'binary' | 'double'
/** a field: its name for messages, its shape, and whether it must be there */
type Field = readonly [name: string, shape: Shape, required?: 'required']
type Shape = Scalar | { readonly list: Shape } | Struct
interface Struct {
  readonly fields: Readonly<Record<number, Field>>
  /** at least one of these fields must be set (a Thrift union) */
  readonly oneOf?: readonly number[]
}

type Thrift = Record<string, unknown>

const a = (word: string) => (/^[aeio]/.test(word) ? `an ${word}` : `a ${word}`)

function kind(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? 'i32' : 'double'
  if (typeof value === 'bigint') return 'i64'
  if (typeof value === 'boolean') return 'bool'
  if (value instanceof Uint8Array) return 'binary'
  if (Array.isArray(value)) return 'list'
  return 'struct'
}

/** The first place where `value` does not have `shape`, as `path: what is wrong`; undefined when it has. */
export function shapeProblem(value: unknown, shape: Shape, path: string): string | undefined {
  if (typeof shape === 'string') {
    const found = kind(value)
    const fits = found === shape || (shape === 'double' && found === 'i32')
    return fits ? undefined : `${path} is ${a(found)} where ${a(shape)} belongs`
  }
  if ('list' in shape) {
    if (!Array.isArray(value)) return `${path} is ${a(kind(value))} where a list belongs`
    for (const [index, item] of value.entries()) {
      const problem = shapeProblem(item, shape.list, `${path}[${index}]`)
      if (problem) return problem
    }
    return undefined
  }
  if (kind(value) !== 'struct') return `${path} is ${a(kind(value))} where a struct belongs`
  const struct = value as Thrift
  for (const [id, [name, inner, required]] of Object.entries(shape.fields)) {
    const field = struct[`field_${id}`]
    if (field === undefined) {
      if (required) return `${path}.${name} is missing`
      continue
    }
    const problem = shapeProblem(field, inner, `${path}.${name}`)
    if (problem) return problem
  }
  if (shape.oneOf && !shape.oneOf.some((id) => struct[`field_${id}`] !== undefined)) {
    return `${path} sets none of its fields`
  }
  return undefined
}

/** Why compact-protocol bytes did not parse, in Thrift terms (hyparquet's reader says it in JavaScript's). */
export function parseFailure(err: unknown): string {
  if (err instanceof RangeError) {
    return /call stack/i.test(err.message) ? 'its structs nest too deeply' : 'it runs past its end'
  }
  const message = err instanceof Error ? err.message : ''
  if (message.includes('without STOP')) return 'it runs past its end'
  if (message.includes('binary length')) return 'a string in it runs past its end'
  if (message.includes('unhandled type')) return 'it holds a field of an unknown Thrift type'
  return 'its Thrift encoding is invalid'
}

/**
 * One Thrift struct from `reader`, at its offset. Throws what hyparquet's reader throws on bytes that
 * do not parse (a RangeError past the end, an Error for an unknown type); it always ends, since
 * every field consumes bytes.
 */
export function readStruct(reader: DataReader): Thrift {
  return deserializeTCompactProtocol(reader) as Thrift
}

const EMPTY: Struct = { fields: {} }
const STATISTICS: Struct = {
  fields: {
    1: ['max', 'binary'],
    2: ['min', 'binary'],
    3: ['null_count', 'i64'],
    4: ['distinct_count', 'i64'],
    5: ['max_value', 'binary'],
    6: ['min_value', 'binary'],
    7: ['is_max_value_exact', 'bool'],
    8: ['is_min_value_exact', 'bool'],
  },
}
const KEY_VALUE: Struct = { fields: { 1: ['key', 'binary', 'required'], 2: ['value', 'binary'] } }
const TIME_UNIT: Struct = {
  fields: { 1: ['MILLIS', EMPTY], 2: ['MICROS', EMPTY], 3: ['NANOS', EMPTY] },
  oneOf: [1, 2, 3],
}
const TIME: Struct = { fields: { 1: ['isAdjustedToUTC', 'bool'], 2: ['unit', TIME_UNIT, 'required'] } }
const LOGICAL_TYPE: Struct = {
  fields: {
    1: ['STRING', EMPTY],
    2: ['MAP', EMPTY],
    3: ['LIST', EMPTY],
    4: ['ENUM', EMPTY],
    5: ['DECIMAL', { fields: { 1: ['scale', 'i32'], 2: ['precision', 'i32'] } }],
    6: ['DATE', EMPTY],
    7: ['TIME', TIME],
    8: ['TIMESTAMP', TIME],
    10: ['INTEGER', { fields: { 1: ['bitWidth', 'i32'], 2: ['isSigned', 'bool'] } }],
    11: ['UNKNOWN', EMPTY],
    12: ['JSON', EMPTY],
    13: ['BSON', EMPTY],
    14: ['UUID', EMPTY],
    15: ['FLOAT16', EMPTY],
    16: ['VARIANT', { fields: { 1: ['specification_version', 'i32'] } }],
    17: ['GEOMETRY', { fields: { 1: ['crs', 'binary'] } }],
    18: ['GEOGRAPHY', { fields: { 1: ['crs', 'binary'], 2: ['algorithm', 'i32'] } }],
  },
}
const SCHEMA_ELEMENT: Struct = {
  fields: {
    1: ['type', 'i32'],
    2: ['type_length', 'i32'],
    3: ['repetition_type', 'i32'],
    4: ['name', 'binary', 'required'],
    5: ['num_children', 'i32'],
    6: ['converted_type', 'i32'],
    7: ['scale', 'i32'],
    8: ['precision', 'i32'],
    9: ['field_id', 'i32'],
    10: ['logicalType', LOGICAL_TYPE],
  },
}
const COLUMN_META_DATA: Struct = {
  fields: {
    1: ['type', 'i32', 'required'],
    2: ['encodings', { list: 'i32' }, 'required'],
    3: ['path_in_schema', { list: 'binary' }, 'required'],
    4: ['codec', 'i32', 'required'],
    5: ['num_values', 'i64', 'required'],
    6: ['total_uncompressed_size', 'i64', 'required'],
    7: ['total_compressed_size', 'i64', 'required'],
    8: ['key_value_metadata', { list: KEY_VALUE }],
    9: ['data_page_offset', 'i64', 'required'],
    10: ['index_page_offset', 'i64'],
    11: ['dictionary_page_offset', 'i64'],
    12: ['statistics', STATISTICS],
    13: [
      'encoding_stats',
      { list: { fields: { 1: ['page_type', 'i32'], 2: ['encoding', 'i32'], 3: ['count', 'i32'] } } },
    ],
    14: ['bloom_filter_offset', 'i64'],
    15: ['bloom_filter_length', 'i32'],
    16: [
      'size_statistics',
      {
        fields: {
          1: ['unencoded_byte_array_data_bytes', 'i64'],
          2: ['rep_histogram', { list: 'i64' }],
          3: ['def_histogram', { list: 'i64' }],
        },
      },
    ],
    17: [
      'geospatial_statistics',
      {
        fields: {
          1: ['bbox', { fields: Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8].map((id) => [id, ['bound', 'double']])) }],
          2: ['geospatial_types', { list: 'i32' }],
        },
      },
    ],
  },
}
const ROW_GROUP: Struct = {
  fields: {
    1: [
      'columns',
      {
        list: {
          fields: {
            1: ['file_path', 'binary'],
            2: ['file_offset', 'i64'],
            3: ['meta_data', COLUMN_META_DATA],
            4: ['offset_index_offset', 'i64'],
            5: ['offset_index_length', 'i32'],
            6: ['column_index_offset', 'i64'],
            7: ['column_index_length', 'i32'],
          },
        },
      },
      'required',
    ],
    2: ['total_byte_size', 'i64'],
    3: ['num_rows', 'i64', 'required'],
    4: [
      'sorting_columns',
      { list: { fields: { 1: ['column_idx', 'i32'], 2: ['descending', 'bool'], 3: ['nulls_first', 'bool'] } } },
    ],
    5: ['file_offset', 'i64'],
    6: ['total_compressed_size', 'i64'],
    7: ['ordinal', 'i32'],
  },
}

/** The parts of FileMetaData that hyparquet's `parquetMetadata` maps. */
export const FILE_META_DATA: Struct = {
  fields: {
    2: ['schema', { list: SCHEMA_ELEMENT }, 'required'],
    3: ['num_rows', 'i64', 'required'],
    4: ['row_groups', { list: ROW_GROUP }, 'required'],
    5: ['key_value_metadata', { list: KEY_VALUE }],
    6: ['created_by', 'binary'],
  },
}

const PAGE_STATISTICS = STATISTICS
/** A page header, as hyparquet's `parquetHeader` maps it. */
export const PAGE_HEADER: Struct = {
  fields: {
    1: ['type', 'i32', 'required'],
    2: ['uncompressed_page_size', 'i32', 'required'],
    3: ['compressed_page_size', 'i32', 'required'],
    4: ['crc', 'i32'],
    5: [
      'data_page_header',
      {
        fields: {
          1: ['num_values', 'i32', 'required'],
          2: ['encoding', 'i32', 'required'],
          3: ['definition_level_encoding', 'i32', 'required'],
          4: ['repetition_level_encoding', 'i32', 'required'],
          5: ['statistics', PAGE_STATISTICS],
        },
      },
    ],
    7: [
      'dictionary_page_header',
      {
        fields: { 1: ['num_values', 'i32', 'required'], 2: ['encoding', 'i32', 'required'], 3: ['is_sorted', 'bool'] },
      },
    ],
    8: [
      'data_page_header_v2',
      {
        fields: {
          1: ['num_values', 'i32', 'required'],
          2: ['num_nulls', 'i32', 'required'],
          3: ['num_rows', 'i32', 'required'],
          4: ['encoding', 'i32', 'required'],
          5: ['definition_levels_byte_length', 'i32', 'required'],
          6: ['repetition_levels_byte_length', 'i32', 'required'],
          7: ['is_compressed', 'bool'],
          8: ['statistics', PAGE_STATISTICS],
        },
      },
    ],
  },
}
