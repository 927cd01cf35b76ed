/**
 * One dataset folder (dataset.yaml or dataset.json, schema.json, an optional transform module) read
 * into a DatasetSpec, or every problem with it. The document's shape is checked against the published
 * src/schemas/dataset.schema.json (the same file editors complete dataset.yaml with); what a shape
 * cannot say (the schema file compiles, steps name real functions and columns, checks name output
 * columns) is checked here. Problems read `<field path>: <what is wrong>`.
 */
import { existsSync, readFileSync } from 'node:fs'
import { basename, extname, join, resolve } from 'node:path'
import { Ajv, type ErrorObject } from 'ajv'
import { LineCounter, parseDocument } from 'yaml'
import { datasetProblems, type JsonSchema } from '../core/dataset.js'
import { type DatasetSpec, parseStep, type StepSpec } from '../core/dataset-spec.js'
import type { OutputColumn } from '../core/formats/columns.js'
import { OUTPUT_COMPRESSIONS, type OutputCompression } from '../core/formats/parquet/encode/compression.js'
import { type KeyMatcher, keyMatcher } from '../core/keys.js'
import { DEFAULT_THRESHOLDS } from '../core/quality.js'
import { compileRowValidator } from '../core/validate.js'
import { schemaProperties } from '../core/validation/refs.js'
import datasetSchema from '../schemas/dataset.schema.json' with { type: 'json' }
import { loadSchemaFiles } from './schema-files.js'

const DATASET_FILES = ['dataset.yaml', 'dataset.yml', 'dataset.json'] as const

const validateDocument = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(datasetSchema)

/** Where a problem is, for a message that sends the reader to the line. */
export interface Located {
  /** the dataset file */
  file: string
  /** 1-based line of the field, when the file is YAML and the field is in it */
  line?: number
  problem: string
}

export type DatasetLoad = { ok: true; spec: DatasetSpec } | { ok: false; problems: Located[] }

interface DatasetDocument {
  name: string | undefined
  description: string | undefined
  keys: Array<string | { glob: string } | { regex: string }>
  priority: number | undefined
  schema: string | undefined
  eventTime: string | undefined
  steps: unknown[]
  transform: string | undefined
  columns: OutputColumn[]
  quality: { minRowRatio?: number; maxRejectedRate?: number }
  checks: unknown
  csv: { delimiter: ',' | ';' | '\t' | '|' } | undefined
  compression: OutputCompression | undefined
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

const asText = (value: unknown) => (typeof value === 'string' ? value : undefined)

/**
 * The document with every field of the wrong type left out: those are already reported by the shape
 * check, and leaving them out lets the deeper checks go on without tripping over them, so one round
 * reports every problem.
 */
function wellTyped(doc: Record<string, unknown>): DatasetDocument {
  const keys = Array.isArray(doc.keys) ? doc.keys : []
  const columns = Array.isArray(doc.columns) ? doc.columns : []
  const quality = isRecord(doc.quality) ? doc.quality : {}
  return {
    name: asText(doc.name),
    description: asText(doc.description),
    keys: keys.filter(
      (k) => typeof k === 'string' || (isRecord(k) && (typeof k.glob === 'string' || typeof k.regex === 'string')),
    ),
    priority: Number.isInteger(doc.priority) ? (doc.priority as number) : undefined,
    schema: asText(doc.schema),
    eventTime: asText(doc.eventTime),
    steps: Array.isArray(doc.steps) ? doc.steps : [],
    transform: asText(doc.transform),
    columns: columns.filter(
      (c): c is OutputColumn => isRecord(c) && typeof c.name === 'string' && typeof c.type === 'string',
    ),
    quality: Object.fromEntries(Object.entries(quality).filter(([, v]) => typeof v === 'number')),
    checks: isRecord(doc.checks) ? doc.checks : undefined,
    csv: isRecord(doc.csv) ? (doc.csv as DatasetDocument['csv']) : undefined,
    compression: (OUTPUT_COMPRESSIONS as readonly unknown[]).includes(doc.compression)
      ? (doc.compression as OutputCompression)
      : undefined,
  }
}

function fieldPath(error: ErrorObject): string {
  return error.instancePath.split('/').filter(Boolean).join('.') || '(top level)'
}

/**
 * ajv's errors in dataset.yaml terms. A step or key that fits none of its forms makes ajv report
 * every form's complaint; those are replaced by one line each (steps get parseStep's own, precise
 * problems instead, see `stepsOf`).
 */
function shapeProblems(errors: readonly ErrorObject[]): string[] {
  const problems = new Set<string>()
  for (const error of errors) {
    const path = fieldPath(error)
    if (/^steps\.\d+/.test(path)) continue
    if (/^keys\.\d+/.test(path)) {
      const key = /^keys\.\d+/.exec(path)![0]
      problems.add(`${key}: must be a glob pattern (text), { glob: ... } or { regex: ... }`)
      continue
    }
    if (error.keyword === 'additionalProperties') {
      problems.add(`${path === '(top level)' ? '' : `${path}.`}${error.params.additionalProperty}: unknown field`)
    } else if (error.keyword === 'enum') {
      problems.add(
        `${path}: must be one of ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      )
    } else problems.add(`${path}: ${error.message}`)
  }
  return [...problems]
}

function readDocument(file: string): {
  doc?: unknown
  lineOf: (path: string) => number | undefined
  problems: string[]
} {
  const text = readFileSync(file, 'utf8')
  if (extname(file) === '.json') {
    try {
      return { doc: JSON.parse(text), lineOf: () => undefined, problems: [] }
    } catch (err) {
      return { lineOf: () => undefined, problems: [`(file): not valid JSON: ${(err as Error).message}`] }
    }
  }
  const lineCounter = new LineCounter()
  const document = parseDocument(text, { lineCounter, prettyErrors: false })
  const lineOf = (path: string): number | undefined => {
    const segments = path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s))
    for (let n = segments.length; n > 0; n--) {
      const node = document.getIn(segments.slice(0, n), true) as { range?: [number, number, number] } | undefined
      if (node?.range) return lineCounter.linePos(node.range[0]).line
    }
    return undefined
  }
  if (document.errors.length > 0) {
    return {
      lineOf,
      problems: document.errors.map(
        (e) => `(file): line ${lineCounter.linePos(e.pos[0]).line}: ${e.message.split('\n')[0]}`,
      ),
    }
  }
  return { doc: document.toJS(), lineOf, problems: [] }
}

/** Column names the steps read and write, checked against the schema's properties as they go. */
function stepsOf(raw: readonly unknown[], inputs: ReadonlySet<string> | undefined, problems: string[]): StepSpec[] {
  const steps: StepSpec[] = []
  const available = inputs ? new Set(inputs) : undefined
  raw.forEach((item, i) => {
    const parsed = parseStep(item)
    for (const problem of parsed.problems) problems.push(`steps.${i}.${problem}`)
    const step = parsed.step as StepSpec | undefined
    if (!step) return
    steps.push(step)
    const reads = step.op === 'derive' ? step.from : step.op === 'drop' ? [] : [step.column]
    for (const name of reads) {
      if (available && !available.has(name)) {
        problems.push(
          `steps.${i}: reads ${JSON.stringify(name)}, which is neither a schema property nor made by an earlier step`,
        )
      }
    }
    if (step.op === 'rename') {
      available?.delete(step.column)
      available?.add(step.to)
    } else if (step.op === 'drop') available?.delete(step.column)
    else available?.add(step.column)
  })
  return steps
}

function keysOf(raw: DatasetDocument['keys'], problems: string[]): KeyMatcher[] {
  const keys: KeyMatcher[] = []
  raw.forEach((key, i) => {
    try {
      keys.push(keyMatcher(key))
    } catch (err) {
      problems.push(`keys.${i}: ${(err as Error).message}`)
    }
  })
  return keys
}

/** The row schema and its referenced files, compiled once here so that a broken schema stops the boot. */
function schemaOf(dir: string, doc: DatasetDocument, name: string, problems: string[]) {
  const file = resolve(dir, doc.schema ?? 'schema.json')
  const loaded = loadSchemaFiles(file)
  if (!loaded.ok) {
    problems.push(...loaded.problems)
    return undefined
  }
  const { root, refs } = loaded.files
  try {
    compileRowValidator(root, name, refs)
  } catch (err) {
    problems.push(`schema: ${(err as Error).message.replace(/\n\s*-\s*/g, '; ')}`)
    return undefined
  }
  return { root, refs, file }
}

/** Property names the schema declares, or undefined when it declares none (any column may come). */
function declaredProperties(root: JsonSchema, refs: Record<string, JsonSchema>): Set<string> | undefined {
  const names = Object.keys(schemaProperties(root, refs))
  return names.length > 0 ? new Set(names) : undefined
}

function specOf(dir: string, file: string, doc: DatasetDocument, problems: string[]): DatasetSpec | undefined {
  const name = doc.name ?? basename(dir)
  if (doc.name === undefined && !/^[a-z][a-z0-9_-]{0,62}$/.test(name)) {
    problems.push(
      `name: the folder name ${JSON.stringify(name)} is not a dataset name (lower-case letters, digits, _ and -); set name:`,
    )
  }
  const keys = keysOf(doc.keys, problems)
  const schema = schemaOf(dir, doc, name, problems)
  const properties = schema ? declaredProperties(schema.root, schema.refs) : undefined
  if (doc.eventTime !== undefined && properties && !properties.has(doc.eventTime)) {
    problems.push(`eventTime: ${JSON.stringify(doc.eventTime)} is not a property of the schema`)
  }
  const steps = stepsOf(doc.steps, properties, problems)
  let transformModule: string | undefined
  if (doc.transform !== undefined) {
    transformModule = resolve(dir, doc.transform)
    if (!existsSync(transformModule)) problems.push(`transform: ${transformModule} does not exist`)
  }
  problems.push(
    ...datasetProblems({ quality: doc.quality, outputColumns: doc.columns, checks: doc.checks, csv: doc.csv }),
  )
  if (!schema) return undefined
  return {
    name,
    file,
    schemaFile: schema.file,
    ...(doc.description !== undefined ? { description: doc.description } : {}),
    keys,
    priority: doc.priority ?? 0,
    schema: schema.root,
    ...(Object.keys(schema.refs).length > 0 ? { schemaRefs: schema.refs } : {}),
    outputColumns: doc.columns,
    ...(doc.eventTime !== undefined ? { eventTimeField: doc.eventTime } : {}),
    quality: { ...DEFAULT_THRESHOLDS, ...doc.quality },
    ...(doc.checks !== undefined ? { checks: doc.checks as DatasetSpec['checks'] } : {}),
    ...(doc.csv !== undefined ? { csv: doc.csv } : {}),
    ...(doc.compression !== undefined ? { compression: doc.compression } : {}),
    steps,
    ...(transformModule !== undefined ? { transformModule } : {}),
  }
}

/**
 * The dataset declared in `dir`, or its problems located in its file. Output columns no input
 * property or step makes are reported (a typo would otherwise write a column of nulls), unless a
 * transform module may make them.
 */
export function loadDatasetFolder(dir: string): DatasetLoad {
  const found = DATASET_FILES.map((f) => join(dir, f)).filter((f) => existsSync(f))
  const file = found[0]
  if (!file) return { ok: false, problems: [{ file: dir, problem: `no ${DATASET_FILES.join(' or ')} in this folder` }] }
  if (found.length > 1) {
    return {
      ok: false,
      problems: [{ file: dir, problem: `holds both ${found.map((f) => basename(f)).join(' and ')}; keep one` }],
    }
  }
  const { doc, lineOf, problems: readProblems } = readDocument(file)
  const located = (problems: string[]) =>
    problems.map((problem) => ({ file, line: lineOf(problem.slice(0, problem.indexOf(':'))), problem }))
  if (readProblems.length > 0) return { ok: false, problems: located(readProblems) }
  const problems: string[] = []
  if (!validateDocument(doc)) problems.push(...shapeProblems(validateDocument.errors ?? []))
  // a document that is not even a mapping has nothing more worth checking
  const spec = isRecord(doc) ? specOf(dir, file, wellTyped(doc), problems) : undefined
  if (spec && !spec.transformModule) problems.push(...unmadeColumns(spec))
  if (problems.length > 0 || !spec) return { ok: false, problems: located(problems) }
  return { ok: true, spec }
}

function unmadeColumns(spec: DatasetSpec): string[] {
  const properties = Object.keys(schemaProperties(spec.schema, spec.schemaRefs))
  if (properties.length === 0) return []
  const made = new Set(properties)
  for (const step of spec.steps) {
    if (step.op === 'rename') {
      made.delete(step.column)
      made.add(step.to)
    } else if (step.op === 'drop') made.delete(step.column)
    else made.add(step.column)
  }
  return spec.outputColumns.flatMap((column, i) =>
    made.has(column.name)
      ? []
      : [`columns.${i}: ${JSON.stringify(column.name)} is neither a schema property nor made by a step`],
  )
}
