import { ConfigError } from '../errors.js'
import { checksProblems, type DatasetChecks } from './checks/config.js'
import type { OutputColumn, Row } from './formats/columns.js'
import { CSV_DELIMITERS, type CsvDelimiter } from './formats/csv.js'
import type { OutputCompression } from './formats/parquet/encode/compression.js'
import { type KeyMatcher, keyMatcher } from './keys.js'
import { DEFAULT_THRESHOLDS, type FileThresholds } from './quality.js'
import { type ColumnStep, rowTransform } from './transform.js'

export type { OutputColumn, Row } from './formats/columns.js'
export { findDataset, type KeyMatcher, matchDatasets } from './keys.js'

/** A JSON Schema object describing one input row (draft-07, 2019-09 or 2020-12, by its `$schema`). */
export type JsonSchema = Record<string, unknown>

/**
 * What every command knows of a dataset: plain data, so the very same definition reaches the
 * engine's worker threads (structured clone) and every command reads it alike.
 */
export interface DatasetInfo {
  name: string
  /** the object keys it takes; see keys.ts for how a key shared by several datasets is resolved */
  keys: readonly KeyMatcher[]
  /** the highest priority takes a key several datasets match (default 0) */
  priority: number
  /** the JSON Schema every input row must satisfy; compiled once (see validate.ts) */
  schema: JsonSchema
  /** documents the schema `$ref`s, by absolute URI (sibling files of schema.json) */
  schemaRefs?: Readonly<Record<string, JsonSchema>>
  outputColumns: readonly OutputColumn[]
  /** input field holding the event time (RFC 3339) reported as the file's event date; none: no such date */
  eventTimeField?: string
  /** per-file thresholds the quality checks (quality.ts) apply */
  quality: FileThresholds
  /** declared data-quality checks (src/core/checks/config.ts); none when absent */
  checks?: DatasetChecks
  /** how this dataset's CSV files are written: the field separator (default by name: tab for .tsv, else comma) */
  csv?: { delimiter: CsvDelimiter }
  /** its Parquet outputs' compression, over the configuration's `output.compression`; none: that one */
  compression?: OutputCompression
}

/** A dataset as the engine runs it: its info and its compiled transform. */
export interface Dataset extends DatasetInfo {
  /**
   * pure: a validated input row to an output row holding `outputColumns`. For a dataset defined by
   * `columns` alone, those steps applied to one row.
   */
  transform: (row: Row) => Row
  /**
   * Declarative column steps (transform.ts) the engine runs over whole columns, which is much faster
   * than calling `transform` per row. Undefined when `transform` is a hand-written row function: the
   * escape hatch for logic the steps cannot express.
   */
  columns?: readonly ColumnStep[]
}

/**
 * A dataset written in code (tests, or a row function the loader composes): `keys` as glob text or
 * RegExp, and `transform`, `columns`, or both when `transform` is the one derived from `columns`.
 */
export type DatasetDefinition = Omit<Dataset, 'quality' | 'transform' | 'keys' | 'priority'> & {
  keys: ReadonlyArray<string | RegExp | KeyMatcher>
  priority?: number
  quality?: Partial<FileThresholds>
  transform?: (row: Row) => Row
}

/** Row transforms defineDataset derived from column steps, so a redefinition can tell them from hand-written ones. */
const derivedFrom = new WeakMap<(row: Row) => Row, readonly ColumnStep[]>()

/**
 * The row transform and column steps the dataset runs with. A hand-written `transform` wins over
 * `columns`: spreading a dataset and replacing its transform must run the replacement. A transform
 * derived from (any) steps is derived afresh, so replacing the steps replaces it too.
 */
function transforms(definition: DatasetDefinition): Pick<Dataset, 'transform' | 'columns'> | undefined {
  const { transform, columns, outputColumns } = definition
  if (transform && (!columns || !derivedFrom.has(transform))) return { transform }
  if (!columns) return undefined
  const derived = rowTransform(columns, outputColumns)
  derivedFrom.set(derived, columns)
  return { transform: derived, columns }
}

/**
 * Every problem with the parts of a dataset that do not depend on how it was written (thresholds,
 * output columns, checks, CSV options), as `<field>: <problem>` lines in the dataset.yaml vocabulary.
 */
export function datasetProblems(definition: {
  quality?: Partial<FileThresholds>
  outputColumns: readonly OutputColumn[]
  checks?: unknown
  csv?: { delimiter?: unknown }
}): string[] {
  const problems: string[] = []
  for (const [key, value] of Object.entries({ ...DEFAULT_THRESHOLDS, ...definition.quality })) {
    if (!(value >= 0 && value <= 1)) problems.push(`quality.${key}: must be between 0 and 1, got ${value}`)
  }
  const seen = new Set<string>()
  for (const column of definition.outputColumns) {
    if (seen.has(column.name)) problems.push(`columns: ${column.name} is declared twice`)
    seen.add(column.name)
  }
  if (definition.outputColumns.length === 0) problems.push('columns: at least one output column is required')
  if (definition.checks !== undefined) problems.push(...checksProblems(definition.checks, definition.outputColumns))
  const delimiter = definition.csv?.delimiter
  if (delimiter !== undefined && !(CSV_DELIMITERS as readonly unknown[]).includes(delimiter)) {
    problems.push(`csv.delimiter: must be one of ${CSV_DELIMITERS.map((d) => JSON.stringify(d)).join(', ')}`)
  }
  return problems
}

/**
 * Fills in the defaults (quality thresholds, priority 0), compiles the key patterns and rejects
 * definitions that could only fail later and less clearly. Throws ConfigError naming each problem.
 */
export function defineDataset(definition: DatasetDefinition): Dataset {
  const problems = datasetProblems(definition)
  const keys: KeyMatcher[] = []
  definition.keys.forEach((key, i) => {
    try {
      keys.push(keyMatcher(key))
    } catch (err) {
      problems.push(`keys.${i}: ${(err as Error).message}`)
    }
  })
  if (keys.length === 0 && problems.length === 0) problems.push('keys: at least one key pattern is required')
  const transform = transforms(definition)
  if (!transform) problems.push('steps: a transform or column steps are required')
  if (problems.length > 0 || !transform) throw new ConfigError(`dataset ${definition.name} is invalid`, problems)
  const { columns: _, ...rest } = definition
  return {
    ...rest,
    ...transform,
    keys,
    priority: definition.priority ?? 0,
    quality: { ...DEFAULT_THRESHOLDS, ...definition.quality },
  }
}
