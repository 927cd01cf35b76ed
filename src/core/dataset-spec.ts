/**
 * A dataset as its project folder declares it (dataset.yaml, see src/project/load.ts), in plain data
 * that crosses to the engine's worker threads: declarative steps are data, and a transform module is
 * named by path and imported in the thread (engine/user-code.ts). `datasetFromSpec` turns a spec and
 * its loaded module into the Dataset the engine runs, in whichever thread asks.
 */
import { type Dataset, type DatasetInfo, defineDataset, type Row } from './dataset.js'
import type { OutputColumnType } from './formats/columns.js'
import { builtinDerive, functionProblems } from './functions.js'
import { type ColumnStep, cast, derive, drop, rename, rowTransform } from './transform.js'

/** One column step as dataset.yaml writes it, normalised. */
export type StepSpec =
  | { op: 'rename'; column: string; to: string }
  | { op: 'cast'; column: string; to: OutputColumnType }
  | { op: 'drop'; column: string }
  | { op: 'derive'; column: string; from: readonly string[]; fn: string; args: Readonly<Record<string, unknown>> }

export interface DatasetSpec extends DatasetInfo {
  /** the file that declared it (dataset.yaml or dataset.json), for messages */
  file: string
  /** the row schema's file */
  schemaFile: string
  description?: string
  steps: readonly StepSpec[]
  /** absolute path of the ES module named by `transform:`, imported by the engine's worker threads */
  transformModule?: string
}

/** What a transform module contributes once imported and checked (engine/user-code.ts). */
export interface TransformModule {
  /** column steps run after the dataset.yaml steps */
  steps: readonly ColumnStep[]
  /** a row function run last, on each row after every step */
  transform?: (row: Row) => Row
}

export function columnStep(step: StepSpec): ColumnStep {
  switch (step.op) {
    case 'rename':
      return rename(step.column, step.to)
    case 'cast':
      return cast(step.column, step.to)
    case 'drop':
      return drop(step.column)
    case 'derive':
      return derive(step.column, step.from, builtinDerive(step.fn, step.args))
  }
}

/**
 * The engine's Dataset for a spec (and its transform module, when it names one). Declarative steps
 * run over whole columns; a module's row function turns the dataset into a row-at-a-time one, run
 * after every step. Throws ConfigError like defineDataset.
 */
export function datasetFromSpec(spec: DatasetSpec, module?: TransformModule): Dataset {
  const {
    file: _file,
    schemaFile: _schemaFile,
    description: _description,
    steps,
    transformModule: _module,
    ...info
  } = spec
  const columns = [...steps.map(columnStep), ...(module?.steps ?? [])]
  const rowFunction = module?.transform
  if (!rowFunction) return defineDataset({ ...info, columns })
  const stepped = columns.length === 0 ? (row: Row) => row : rowTransform(columns)
  return defineDataset({ ...info, transform: (row) => rowFunction(stepped(row)) })
}

const OPS = ['rename', 'cast', 'drop', 'derive'] as const
const FIELDS: Readonly<Record<(typeof OPS)[number], readonly string[]>> = {
  rename: ['rename', 'to'],
  cast: ['cast', 'to'],
  drop: ['drop'],
  derive: ['derive', 'from', 'fn', 'args', 'value'],
}
const OUTPUT_TYPES: readonly OutputColumnType[] = ['string', 'int32', 'int64', 'double', 'boolean', 'timestamp', 'date']

export type ParsedStep = { step: StepSpec | ColumnStep; problems: [] } | { step?: undefined; problems: string[] }

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function columnName(value: unknown, field: string, problems: string[]): string {
  if (typeof value !== 'string' || value === '') problems.push(`${field}: must be a column name`)
  return String(value)
}

/**
 * One step as dataset.yaml (or a transform module's `steps` export) writes it: `{ rename, to }`,
 * `{ cast, to }`, `{ drop }` or `{ derive, from?, fn, args? }`; with `code`, a derive may give its
 * own function as `value` instead of `fn`. Problems are `<field>: <problem>` lines.
 */
export function parseStep(raw: unknown, options: { code?: boolean } = {}): ParsedStep {
  if (!isRecord(raw)) return { problems: ['must be a mapping with one of rename, cast, drop or derive'] }
  const ops = OPS.filter((op) => Object.hasOwn(raw, op))
  const op = ops[0]
  if (op === undefined || ops.length > 1) {
    return { problems: [`must have exactly one of rename, cast, drop or derive, has ${ops.join(', ') || 'none'}`] }
  }
  const problems: string[] = []
  for (const field of Object.keys(raw)) {
    if (!FIELDS[op].includes(field) || (field === 'value' && !options.code)) {
      problems.push(`${field}: unknown field for a ${op} step`)
    }
  }
  const column = columnName(raw[op], op, problems)
  let step: StepSpec | ColumnStep | undefined
  if (op === 'rename') step = { op, column, to: columnName(raw.to, 'to', problems) }
  else if (op === 'drop') step = { op, column }
  else if (op === 'cast') {
    if (!OUTPUT_TYPES.includes(raw.to as OutputColumnType))
      problems.push(`to: must be one of ${OUTPUT_TYPES.join(', ')}`)
    step = { op, column, to: raw.to as OutputColumnType }
  } else step = deriveStep(raw, column, problems)
  return problems.length > 0 || !step ? { problems } : { step, problems: [] }
}

function deriveStep(
  raw: Record<string, unknown>,
  column: string,
  problems: string[],
): StepSpec | ColumnStep | undefined {
  const from = raw.from === undefined ? [column] : [raw.from].flat()
  const names = from.map((name, i) => columnName(name, Array.isArray(raw.from) ? `from.${i}` : 'from', problems))
  if (typeof raw.value === 'function') {
    if (raw.fn !== undefined) problems.push('fn: a step gives fn or value, not both')
    return derive(column, names, raw.value as (...inputs: unknown[]) => unknown)
  }
  if (typeof raw.fn !== 'string') {
    problems.push('fn: must name a built-in function')
    return undefined
  }
  const args = raw.args ?? {}
  if (!isRecord(args)) {
    problems.push('args: must be a mapping of argument names to values')
    return undefined
  }
  // a function with no input (constant) has none: `from` defaults only for functions that take one
  const inputs = raw.from === undefined && raw.fn === 'constant' ? [] : names
  problems.push(...functionProblems(raw.fn, inputs.length, args))
  return { op: 'derive', column, from: inputs, fn: raw.fn, args }
}
