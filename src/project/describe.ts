/**
 * `ferry datasets`: what the loader made of the project, for people (a block per dataset) and for
 * scripts (JSON), and which dataset takes a given key and why.
 */
import { dirname, relative } from 'node:path'
import type { DatasetSpec, StepSpec } from '../core/dataset-spec.js'
import { keyMatches, matchDatasets, resolutionReason } from '../core/keys.js'
import { findCases } from './cases.js'

export interface DatasetView {
  name: string
  file: string
  description?: string
  keys: Array<{ kind: 'glob' | 'regex'; pattern: string }>
  priority: number
  schema: { file: string; draft: string; properties: number; required: string[] }
  eventTime?: string
  steps: string[]
  transform?: string
  columns: Array<{ name: string; type: string; unit?: string; nullable: boolean }>
  quality: DatasetSpec['quality']
  checks: string[]
  csv?: DatasetSpec['csv']
  tests: string[]
}

const DRAFTS: Readonly<Record<string, string>> = {
  'https://json-schema.org/draft/2020-12/schema': '2020-12',
  'https://json-schema.org/draft/2019-09/schema': '2019-09',
}

function draftOf(schema: Record<string, unknown>): string {
  const declared = typeof schema.$schema === 'string' ? schema.$schema.replace(/#$/, '') : undefined
  return (declared && DRAFTS[declared]) ?? 'draft-07'
}

function describeStep(step: StepSpec): string {
  switch (step.op) {
    case 'rename':
      return `rename ${step.column} -> ${step.to}`
    case 'cast':
      return `cast ${step.column} to ${step.to}`
    case 'drop':
      return `drop ${step.column}`
    case 'derive': {
      const args = Object.entries(step.args).map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      return `${step.column} = ${step.fn}(${[...step.from, ...args].join(', ')})`
    }
  }
}

function checkNames(spec: DatasetSpec): string[] {
  const checks = spec.checks ?? {}
  const warn = (c: { severity?: string }) => (c.severity === 'warn' ? ' (warn)' : '')
  return [
    ...(checks.nullRate ?? []).map((c) => `nullRate ${c.column} <= ${c.max}${warn(c)}`),
    ...(checks.duplicates ?? []).map((c) => `duplicates ${c.columns.join('+')} <= ${c.max ?? 0}${warn(c)}`),
    ...(checks.allowedValues ?? []).map((c) => `allowedValues ${c.column} in ${c.values.length} value(s)${warn(c)}`),
    ...(checks.range ?? []).map((c) => `range ${c.column} ${c.min ?? '-inf'}..${c.max ?? '+inf'}${warn(c)}`),
    ...(checks.freshness
      ? [`freshness ${checks.freshness.column} <= ${checks.freshness.maxAgeHours} h${warn(checks.freshness)}`]
      : []),
    ...(checks.schemaDrift ? [`schemaDrift${checks.schemaDrift.severity === 'fail' ? ' (fail)' : ' (warn)'}`] : []),
    ...(checks.volume ? [`volume${warn(checks.volume)}`] : []),
    ...(checks.files ? [`files ${checks.files.expected}±${checks.files.tolerance ?? 0}${warn(checks.files)}`] : []),
  ]
}

export function datasetView(spec: DatasetSpec, cwd: string): DatasetView {
  const properties = (spec.schema.properties ?? {}) as Record<string, unknown>
  const required = Array.isArray(spec.schema.required) ? spec.schema.required.map(String) : []
  return {
    name: spec.name,
    file: relative(cwd, spec.file),
    ...(spec.description ? { description: spec.description } : {}),
    keys: spec.keys.map(({ kind, pattern }) => ({ kind, pattern })),
    priority: spec.priority,
    schema: {
      file: relative(cwd, spec.schemaFile),
      draft: draftOf(spec.schema),
      properties: Object.keys(properties).length,
      required,
    },
    ...(spec.eventTimeField ? { eventTime: spec.eventTimeField } : {}),
    steps: spec.steps.map(describeStep),
    ...(spec.transformModule ? { transform: relative(cwd, spec.transformModule) } : {}),
    columns: spec.outputColumns.map((c) => ({
      name: c.name,
      type: c.type,
      ...(c.type === 'timestamp' ? { unit: c.unit ?? 'ms' } : {}),
      nullable: c.nullable !== false,
    })),
    quality: spec.quality,
    checks: checkNames(spec),
    ...(spec.csv ? { csv: spec.csv } : {}),
    tests: findCases([spec]).map((c) => c.name),
  }
}

/** A block of lines per dataset. */
export function formatDatasets(views: readonly DatasetView[]): string[] {
  const lines: string[] = []
  for (const v of views) {
    const keys = v.keys.map((k) => (k.kind === 'glob' ? k.pattern : `/${k.pattern}/`)).join('  ')
    const columns = v.columns.map((c) => `${c.name} ${c.type}${c.unit ? `(${c.unit})` : ''}${c.nullable ? '' : '!'}`)
    lines.push(
      `${v.name}  ${v.file}${v.description ? `  ${v.description}` : ''}`,
      `  keys       ${keys}${v.priority !== 0 ? `  (priority ${v.priority})` : ''}`,
      `  schema     ${v.schema.file} (${v.schema.draft}), ${v.schema.properties} properties, ${v.schema.required.length} required`,
      `  event time ${v.eventTime ?? '(none: the upload time)'}`,
      `  steps      ${v.steps.length ? v.steps.join('; ') : '(none)'}`,
      ...(v.transform ? [`  transform  ${v.transform}`] : []),
      `  columns    ${columns.join(', ')}`,
      `  quality    rows out/in >= ${v.quality.minRowRatio}, rejected <= ${v.quality.maxRejectedRate}`,
      `  checks     ${v.checks.length ? v.checks.join('; ') : '(none declared)'}`,
      `  tests      ${v.tests.length ? v.tests.join(', ') : `(none: add ${dirname(v.file)}/tests/<case>/)`}`,
      '',
    )
  }
  return lines
}

export interface MatchExplanation {
  key: string
  /** the dataset that takes the key, if any */
  dataset: string | null
  reason: string
  candidates: Array<{ name: string; priority: number; matched: string | null }>
}

/** Which dataset takes the key, which patterns matched, and the rule that decided. */
export function explainMatch(datasets: readonly DatasetSpec[], key: string): MatchExplanation {
  const matches = matchDatasets(datasets, key)
  return {
    key,
    dataset: matches[0]?.dataset.name ?? null,
    reason:
      matches.length === 0
        ? 'no dataset has a pattern that matches it (it would be dead-lettered FERRY_NO_DATASET)'
        : resolutionReason(matches),
    candidates: datasets.map((d) => {
      const matcher = d.keys.find((m) => keyMatches(m, key))
      return { name: d.name, priority: d.priority, matched: matcher ? `${matcher.kind} ${matcher.pattern}` : null }
    }),
  }
}

export function formatMatch(explanation: MatchExplanation): string[] {
  const head = explanation.dataset
    ? `${explanation.key} -> ${explanation.dataset}: ${explanation.reason}`
    : `${explanation.key} -> no dataset: ${explanation.reason}`
  return [
    head,
    ...explanation.candidates.map(
      (c) =>
        `  ${c.name.padEnd(20)} ${c.matched ? `matches ${c.matched}` : 'no pattern matches'}${c.priority ? ` (priority ${c.priority})` : ''}`,
    ),
  ]
}
