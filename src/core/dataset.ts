import { ConfigError } from '../errors.js'
import { checksProblems, type DatasetChecks } from './checks/config.js'
import type { OutputColumn, Row } from './formats/columns.js'
import { CSV_DELIMITERS, type CsvDelimiter } from './formats/csv.js'
import { DEFAULT_THRESHOLDS, type FileThresholds } from './quality.js'
import { type ColumnStep, rowTransform } from './transform.js'

export type { OutputColumn, Row } from './formats/columns.js'

/** A JSON Schema (draft-07) object describing one input row. */
export type JsonSchema = Record<string, unknown>

/** Everything Ferry needs to know to process one kind of source file. */
export interface Dataset {
  name: string
  /** matched against the source object key; the first dataset that matches wins */
  keyPattern: RegExp
  /** draft-07 JSON Schema every input row must satisfy; compiled once (see validate.ts) */
  schema: JsonSchema
  /**
   * pure: a validated input row to an output row holding `outputColumns`. For a dataset defined by
   * `columns`, those steps applied to one row.
   */
  transform: (row: Row) => Row
  /**
   * Declarative column steps (transform.ts) the engine runs over whole columns, which is much faster
   * than calling `transform` per row. Undefined when `transform` is a hand-written row function: the
   * escape hatch for logic the steps cannot express.
   */
  columns?: readonly ColumnStep[]
  outputColumns: readonly OutputColumn[]
  /** input field holding the event time (RFC 3339) that dates the file's output */
  eventTimeField: string
  /** per-file thresholds the quality checks (quality.ts) apply */
  quality: FileThresholds
  /** declared data-quality checks (src/core/checks/config.ts); none when absent */
  checks?: DatasetChecks
  /** how this dataset's CSV files are written: the field separator (default by name: tab for .tsv, else comma) */
  csv?: { delimiter: CsvDelimiter }
}

/** A dataset needs `transform`, `columns`, or both when `transform` is the one derived from `columns`. */
export type DatasetDefinition = Omit<Dataset, 'quality' | 'transform'> & {
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
 * Fills in the default quality thresholds (DEFAULT_THRESHOLDS) and rejects definitions that could only fail later and less
 * clearly (duplicate output columns, thresholds outside 0..1). Throws ConfigError naming each problem.
 */
export function defineDataset(definition: DatasetDefinition): Dataset {
  const quality = { ...DEFAULT_THRESHOLDS, ...definition.quality }
  const problems: string[] = []
  for (const [key, value] of Object.entries(quality)) {
    if (!(value >= 0 && value <= 1)) problems.push(`quality.${key} must be between 0 and 1, got ${value}`)
  }
  const seen = new Set<string>()
  for (const column of definition.outputColumns) {
    if (seen.has(column.name)) problems.push(`output column ${column.name} is declared twice`)
    seen.add(column.name)
  }
  if (definition.outputColumns.length === 0) problems.push('at least one output column is required')
  if (definition.checks !== undefined) problems.push(...checksProblems(definition.checks, definition.outputColumns))
  const delimiter = definition.csv?.delimiter
  if (delimiter !== undefined && !(CSV_DELIMITERS as readonly string[]).includes(delimiter)) {
    problems.push(`csv.delimiter must be one of ${CSV_DELIMITERS.map((d) => JSON.stringify(d)).join(', ')}`)
  }
  const transform = transforms(definition)
  if (!transform) problems.push('a transform or column steps are required')
  if (problems.length > 0 || !transform) throw new ConfigError(`dataset ${definition.name} is invalid`, problems)
  const { columns: _, ...rest } = definition
  return { ...rest, ...transform, quality }
}

/**
 * The first dataset whose `keyPattern` matches the key, or undefined. Uses `search` rather than
 * `test` so a pattern written with the `g` flag does not carry `lastIndex` from one key to the next.
 */
export function findDataset(datasets: readonly Dataset[], key: string): Dataset | undefined {
  return datasets.find((dataset) => key.search(dataset.keyPattern) !== -1)
}
