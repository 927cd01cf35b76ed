/**
 * A first draft of a dataset from a sample file's rows (`ferry infer`): the row schema, output
 * columns, event time and checks, each inferred so that every sample row passes the schema and
 * reaches the output, plus remarks on what a person should review. Pure: the caller reads the sample
 * with Ferry's own readers and writes the files.
 */
import type { DatasetChecks } from './checks/config.js'
import type { OutputColumn, OutputColumnType, Row } from './formats/columns.js'
import type { FileFormat } from './formats/detect.js'
import type { ColumnInfo } from './formats/parquet.js'
import { type InferredColumn, inferColumn } from './infer/column.js'
import { parquetHint } from './infer/kinds.js'

export interface InferInput {
  format: FileFormat
  /**
   * column names in source order (CSV header, Parquet schema, NDJSON first-seen key order); keys of
   * `rows` missing here are added after them in first-seen order, so every row stays valid
   */
  columns: readonly string[]
  /** Parquet: the footer's columns (`parquetMetadata(bytes).columns`), whose types win over the values' */
  sourceTypes?: readonly ColumnInfo[]
  /** the sample's rows as Ferry's readers give them (CSV read without a schema) */
  rows: readonly Row[]
}

export interface InferOptions {
  /** most distinct values a string column may have to become an enum; default 12 */
  maxEnumValues?: number
}

export interface InferredDataset {
  /** JSON Schema draft 2020-12 for one row, properties in source order */
  schema: Record<string, unknown>
  /** one per column but nested ones, same names; nullable false for required columns */
  outputColumns: OutputColumn[]
  /** columns holding several types of values, which must be cast before a string output column takes them */
  casts: Array<{ column: string; to: OutputColumnType }>
  /** the first date-time column */
  eventTimeField?: string
  /** nullRate 0 for each required output column; duplicates on the key column, if one looks like a key */
  checks: DatasetChecks
  /** remarks for the person reviewing the draft, per column in source order, then the dataset's */
  notes: string[]
}

const SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema'
const DEFAULT_MAX_ENUM_VALUES = 12
/** fewer values than this say too little about the values a column can take to fix them in an enum */
const MIN_ENUM_COUNT = 20

/**
 * The draft dataset for a sample's rows: deterministic (the same rows give the same JSON), and every
 * sample row, read as the engine reads it (CSV typed by the draft's schema), passes the draft schema.
 */
export function inferDataset(input: InferInput, options: InferOptions = {}): InferredDataset {
  const rules = { maxValues: options.maxEnumValues ?? DEFAULT_MAX_ENUM_VALUES, minCount: MIN_ENUM_COUNT }
  const hints = new Map(input.sourceTypes?.map((info) => [info.name, parquetHint(info)]))
  const columns = columnNames(input).map((name) =>
    inferColumn(
      {
        name,
        values: valuesOf(input.rows, name),
        rows: input.rows.length,
        csv: input.format === 'csv',
        hint: hints.get(name),
      },
      rules,
    ),
  )
  const key =
    columns.find((c) => c.keyCandidate && c.name.toLowerCase() === 'id') ?? columns.find((c) => c.keyCandidate)
  const eventTime = columns.find((c) => c.format === 'date-time')
  return {
    schema: rowSchema(columns),
    outputColumns: columns.flatMap(outputColumn),
    casts: columns.flatMap((c) => (c.needsCast && c.output ? [{ column: c.name, to: c.output.type }] : [])),
    ...(eventTime && { eventTimeField: eventTime.name }),
    checks: checksOf(columns, key),
    notes: [...columns.flatMap((c) => c.notes), ...datasetNotes(key, eventTime)],
  }
}

/** The listed columns, then any other key of the rows in first-seen order. */
function columnNames({ columns, rows }: InferInput): string[] {
  const names = new Set(columns)
  for (const row of rows) for (const name of Object.keys(row)) names.add(name)
  return [...names]
}

/** Non-null values; own properties only, so a column named like an Object.prototype member reads right. */
function valuesOf(rows: readonly Row[], name: string): unknown[] {
  const values: unknown[] = []
  for (const row of rows) {
    const value = Object.hasOwn(row, name) ? row[name] : undefined
    if (value !== undefined && value !== null) values.push(value)
  }
  return values
}

function propertySchema({ types, format, enum: values, nullable }: InferredColumn): Record<string, unknown> {
  if (!types) return {}
  const [only] = types
  const type = nullable ? [...types, 'null'] : types.length === 1 ? only : types
  // an enum applies to null too, so a nullable column's enum lists it
  const allowed = values && (nullable ? [...values, null] : values)
  return { type, ...(format && { format }), ...(allowed && { enum: allowed }) }
}

function rowSchema(columns: readonly InferredColumn[]): Record<string, unknown> {
  return {
    $schema: SCHEMA_DIALECT,
    type: 'object',
    // fromEntries defines own properties, so even a column named __proto__ is a property
    properties: Object.fromEntries(columns.map((c) => [c.name, propertySchema(c)])),
    required: columns.filter((c) => !c.nullable).map((c) => c.name),
    additionalProperties: false,
  }
}

function outputColumn({ name, output, nullable }: InferredColumn): OutputColumn[] {
  if (!output) return []
  return [{ name, type: output.type, ...(output.unit && { unit: output.unit }), nullable }]
}

function checksOf(columns: readonly InferredColumn[], key: InferredColumn | undefined): DatasetChecks {
  // checks read the output, so columns left out of it get none
  const required = columns.filter((c) => !c.nullable && c.output)
  return {
    ...(required.length > 0 && { nullRate: required.map((c) => ({ column: c.name, max: 0 })) }),
    ...(key && { duplicates: [{ columns: [key.name] }] }),
  }
}

function datasetNotes(key: InferredColumn | undefined, eventTime: InferredColumn | undefined): string[] {
  return [
    key
      ? `${key.name}: looks like a key (unique in ${key.count} rows): duplicates check`
      : 'no column looks like a key (id, *_id, *Id, *_key, *uuid, all present and distinct): no duplicates check',
    eventTime ? `${eventTime.name}: event time (the first date-time column)` : 'no date-time column: no event time',
  ]
}
