import type { JsonSchema } from '../dataset.js'
import type { ColumnInfo } from '../formats/parquet.js'
import { TEXT_COLUMN_TYPE } from '../formats/records.js'
import type { CheckResult, Severity, SourceColumn } from '../messages.js'
import { check } from './result.js'

export interface Drift {
  added: string[]
  removed: string[]
  /** `name (parquet type, schema type)` */
  retyped: string[]
}

/** Names listed per kind of drift in a message; the count says how many there are. */
const MAX_LISTED = 10

/** The source columns as the engine read them from the footer, in the shape a FileResult carries. */
export function sourceColumnsOf(columns: readonly ColumnInfo[]): SourceColumn[] {
  return columns.map(({ name, physicalType, logicalType }) => ({
    name,
    physicalType,
    ...(logicalType ? { logicalType } : {}),
  }))
}

/**
 * Compares the columns of a source file with the top-level properties of the dataset's JSON Schema:
 * columns the schema does not know, properties the file lacks, and Parquet columns whose values (as
 * Ferry reads them: timestamps and dates as text, DECIMAL as numbers) the property's `type` refuses.
 * A text source's columns are its CSV header, or the keys its NDJSON records use.
 */
export function schemaDrift(sourceColumns: readonly SourceColumn[], schema: JsonSchema): Drift {
  const properties = (schema.properties ?? {}) as Record<string, { type?: string | string[] }>
  const present = new Set(sourceColumns.map((c) => c.name))
  const drift: Drift = { added: [], removed: [], retyped: [] }
  for (const column of sourceColumns) {
    const property = Object.hasOwn(properties, column.name) ? properties[column.name] : undefined
    if (!property) {
      drift.added.push(column.name)
      continue
    }
    const read = jsonTypeOf(column)
    if (read !== undefined && !accepts(property.type, read)) {
      const parquet = column.logicalType ? `${column.physicalType}/${column.logicalType}` : column.physicalType
      drift.retyped.push(`${column.name} (${parquet}, schema ${[property.type].flat().join('|')})`)
    }
  }
  for (const name of Object.keys(properties)) if (!present.has(name)) drift.removed.push(name)
  return drift
}

export function driftCheck(
  sourceColumns: readonly SourceColumn[],
  schema: JsonSchema,
  severity: Severity,
): CheckResult {
  const drift = schemaDrift(sourceColumns, schema)
  const count = drift.added.length + drift.removed.length + drift.retyped.length
  const parts = (['added', 'removed', 'retyped'] as const)
    .filter((kind) => drift[kind].length > 0)
    .map((kind) => `${kind}: ${list(drift[kind])}`)
  return check(
    'schema_drift',
    severity,
    count === 0,
    count,
    0,
    count === 0 ? 'the source columns match the dataset schema' : parts.join('; '),
  )
}

/**
 * The JSON type a Parquet column's values have once read (see src/core/formats/parquet/read.ts);
 * undefined for a text source's column, whose values have no one type (see TEXT_COLUMN_TYPE).
 */
export function jsonTypeOf(column: SourceColumn): string | undefined {
  const logical = column.logicalType ?? ''
  switch (column.physicalType) {
    case TEXT_COLUMN_TYPE:
      return undefined
    case 'GROUP':
      return logical === 'LIST' ? 'array' : 'object'
    case 'BOOLEAN':
      return 'boolean'
    case 'FLOAT':
    case 'DOUBLE':
      return 'number'
    case 'INT32':
    case 'INT64':
      if (/^(DATE|TIME)/.test(logical)) return 'string'
      return logical.startsWith('DECIMAL') ? 'number' : 'integer'
    default:
      // BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY and INT96 (a timestamp) are read as text, except DECIMAL
      return logical.startsWith('DECIMAL') ? 'number' : 'string'
  }
}

function accepts(type: string | string[] | undefined, read: string): boolean {
  if (type === undefined) return true
  const types = [type].flat()
  return types.includes(read) || (read === 'integer' && types.includes('number'))
}

function list(names: string[]): string {
  const shown = names.slice(0, MAX_LISTED).join(', ')
  return names.length > MAX_LISTED ? `${shown} and ${names.length - MAX_LISTED} more` : shown
}
