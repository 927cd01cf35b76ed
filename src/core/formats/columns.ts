/**
 * Format-neutral description of the typed columns a dataset writes. Kept apart from the Parquet
 * module so a dataset definition does not change when the output format does.
 */

export type OutputColumnType = 'string' | 'int32' | 'int64' | 'double' | 'boolean' | 'timestamp' | 'date'

export interface OutputColumn {
  name: string
  type: OutputColumnType
  /**
   * Precision of a `timestamp` column (always UTC); default `ms`. Finer fractions in the value are
   * truncated. Ignored for other types.
   */
  unit?: 'ms' | 'us'
  /** Whether the column accepts null/absent values; default true. */
  nullable?: boolean
}

/**
 * A row as the core sees it: the JSON shape that JSON Schema validates. A null and an absent property
 * mean the same thing; the readers leave null columns out so that `required` means "not null".
 */
export type Row = Record<string, unknown>
