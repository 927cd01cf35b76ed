/**
 * dataset.yaml text for a drafted dataset (`ferry infer`): the same layout and comments as the
 * example project's, so that a person reviews a familiar file. Values are written as JSON, which is
 * YAML too, so any column name or pattern stays exact.
 */
import type { DatasetChecks } from '../core/checks/config.js'
import type { OutputColumn, OutputColumnType } from '../core/formats/columns.js'
import type { CsvDelimiter } from '../core/formats/csv.js'

export interface DraftDataset {
  /** relative path from the dataset folder to the project's copy of dataset.schema.json */
  schemaModeline?: string
  description: string
  keys: readonly string[]
  eventTime?: string
  casts: ReadonlyArray<{ column: string; to: OutputColumnType }>
  columns: readonly OutputColumn[]
  checks: DatasetChecks
  csv?: { delimiter: CsvDelimiter }
  /** review notes, written as comments at the top */
  notes: readonly string[]
}

/** Words YAML 1.1 readers (and people) take for something other than text. */
const RESERVED = /^(true|false|yes|no|on|off|null|y|n|~)$/i

/** A scalar, quoted (as JSON) only when plain YAML would read it differently or not at all. */
function json(value: unknown): string {
  if (typeof value === 'string' && /^[A-Za-z_][A-Za-z0-9_.-]*$/.test(value) && !RESERVED.test(value)) return value
  return JSON.stringify(value)
}

function flow(value: Record<string, unknown>): string {
  return `{ ${Object.entries(value)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? `[${v.map(json).join(', ')}]` : json(v)}`)
    .join(', ')} }`
}

function checksYaml(checks: DatasetChecks): string[] {
  const lines: string[] = []
  for (const [name, value] of Object.entries(checks)) {
    if (Array.isArray(value)) {
      lines.push(`  ${name}:`)
      for (const item of value) lines.push(`    - ${flow(item as Record<string, unknown>)}`)
    } else if (value) lines.push(`  ${name}: ${flow(value as Record<string, unknown>)}`)
  }
  return lines
}

export function datasetYaml(draft: DraftDataset): string {
  const lines = [
    ...(draft.schemaModeline ? [`# yaml-language-server: $schema=${draft.schemaModeline}`, '#'] : []),
    '# Drafted by `ferry infer` from a sample file: review it, then `ferry test`.',
    ...draft.notes.map((note) => `#   ${note}`),
    `description: ${json(draft.description)}`,
    '',
    '# The landing keys this dataset takes (globs; { regex: ... } works too).',
    'keys:',
    ...draft.keys.map((key) => `  - ${json(key)}`),
    '',
    'schema: schema.json',
    ...(draft.eventTime ? ['', `eventTime: ${json(draft.eventTime)}`] : []),
    ...(draft.csv ? ['', `csv: { delimiter: ${json(draft.csv.delimiter)} }`] : []),
    '',
    '# From a valid input row to an output row, in order (rename, cast, drop, derive with fn).',
    ...(draft.casts.length === 0
      ? ['steps: []']
      : ['steps:', ...draft.casts.map((c) => `  - { cast: ${json(c.column)}, to: ${c.to} }`)]),
    '',
    '# The Parquet columns written, in order.',
    'columns:',
    ...draft.columns.map((c) => `  - ${flow({ ...c })}`),
    '',
    '# Every file: rows out / rows in at least minRowRatio, rejected rows at most maxRejectedRate.',
    'quality: { minRowRatio: 0.95, maxRejectedRate: 0.05 }',
    ...(Object.keys(draft.checks).length > 0
      ? ['', '# Declared checks on the written output.', 'checks:', ...checksYaml(draft.checks)]
      : []),
    '',
  ]
  return lines.join('\n')
}
