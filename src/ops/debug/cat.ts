/**
 * `ferry cat`: the rows of a file as the worker reads them, like `parquet-tools cat`: one
 * `column = value` block per row, or NDJSON with `--json` (timestamps RFC 3339, INT64 beyond 2^53 as
 * strings, binary as base64: the JSON shape the schema validates). Read through the engine's input
 * (ranged reads, batches, the configured limits), streamed to the caller a batch at a time.
 */
import type { Dataset } from '../../core/dataset.js'
import { openSource } from '../../core/engine/input.js'
import type { EngineLimits } from '../../core/engine/limits.js'
import type { ByteSink, RangeReader } from '../../core/formats/parquet.js'
import { rowAt } from '../../core/validation/batch.js'
import { propertyView } from '../../core/validation/refs.js'
import { UsageError } from '../../errors.js'

export interface CatOptions {
  /** rows to print at most; all by default */
  limit?: number
  /** only these columns, in this order */
  columns?: string[]
  /** NDJSON instead of `column = value` blocks */
  json: boolean
  limits: EngineLimits
}

export interface CatSummary {
  format: string
  rows: number
  /** records that could not be read as rows (ragged CSV, broken JSON...), left out */
  unreadable: number
  /** the columns the file has, as far as it was read */
  columns: string[]
}

function block(row: Record<string, unknown>): string {
  const lines = Object.entries(row).map(
    ([name, value]) => `${name} = ${typeof value === 'string' ? value : JSON.stringify(value)}`,
  )
  return `${lines.join('\n')}\n\n`
}

function pick(row: Record<string, unknown>, columns: readonly string[] | undefined): Record<string, unknown> {
  if (!columns) return row
  return Object.fromEntries(columns.map((name) => [name, row[name] ?? null]))
}

/** Throws UsageError naming the columns the file has when one asked for is not among them. */
function checkColumns(wanted: readonly string[] | undefined, known: readonly string[]): void {
  const missing = wanted?.filter((name) => !known.includes(name)) ?? []
  if (missing.length > 0 && known.length > 0) {
    throw new UsageError(`no column ${missing.join(', ')} in this file; it has ${known.join(', ')}`)
  }
}

export async function catRows(
  reader: RangeReader,
  output: ByteSink,
  options: CatOptions & { key: string },
  dataset: Dataset | undefined,
  progress: () => void,
): Promise<CatSummary> {
  const schema = dataset ? propertyView(dataset.schema, dataset.schemaRefs) : {}
  const input = await openSource(reader, {
    key: options.key,
    schema,
    ...(dataset?.csv ? { delimiter: dataset.csv.delimiter } : {}),
    limits: options.limits,
  })
  if (input.info.format === 'parquet')
    checkColumns(
      options.columns,
      input.info.columns.map((c) => c.name),
    )
  const limit = options.limit ?? Number.POSITIVE_INFINITY
  const encoder = new TextEncoder()
  let rows = 0
  let unreadable = 0
  let checked = input.info.format === 'parquet'
  for await (const batch of input.batches({})) {
    unreadable += batch.unreadable.length
    if (!checked && batch.rows.length > 0 && input.info.format === 'csv') {
      checkColumns(options.columns, Object.keys(batch.rows.columns))
      checked = true
    }
    let text = ''
    for (let i = 0; i < batch.rows.length && rows < limit; i++, rows++) {
      const row = pick(rowAt(batch.rows, i), options.columns)
      text += options.json ? `${JSON.stringify(row)}\n` : block(row)
    }
    if (text) await output.write(encoder.encode(text))
    progress()
    if (rows >= limit) break
  }
  return { format: input.info.format, rows, unreadable, columns: input.info.columns.map((c) => c.name) }
}
