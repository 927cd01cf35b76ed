/**
 * `ferry infer`: a complete draft dataset folder from one sample file (dataset.yaml, schema.json and
 * a test case from the sample's first rows whose expectations the engine itself writes), so that
 * `ferry test` passes on the draft at once and a person reviews rather than writes.
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { basename, dirname, join, relative } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import type { Row } from '../core/dataset.js'
import { stripGzipSuffix } from '../core/formats/compression.js'
import { CSV_DELIMITERS, type CsvDelimiter, readCsvHeader } from '../core/formats/csv.js'
import { csvDelimiterOf, detectFormat, type FileFormat, readRecords } from '../core/formats/detect.js'
import { type ColumnInfo, parquetMetadata, writeParquet } from '../core/formats/parquet.js'
import { keyPattern } from '../core/infer/key-pattern.js'
import { type InferredDataset, inferDataset } from '../core/infer.js'
import { ConfigError, FormatError, UsageError } from '../errors.js'
import type { ObjectSource } from '../ops/debug/source.js'
import { loadDatasetFolder } from '../project/dataset-file.js'
import { datasetYaml } from '../project/dataset-yaml.js'
import { DATASET_SCHEMA_FILE } from '../project/example.js'
import { PROJECT_SCHEMA_FILE } from '../project/init.js'
import type { App } from './boot.js'
import { type CaseResult, runDatasetTests } from './dataset-tests.js'

/** Rows the inference looks at, at most: enough for enums and keys, bounded for a huge sample. */
const MAX_SAMPLE_ROWS = 10_000
/** Rows of the test case made from the sample: enough to show the transform, few enough to review. */
const CASE_ROWS = 20

export interface InferRequest {
  source: ObjectSource
  name: string
  /** the dataset folder to write */
  dir: string
  /** the landing key the sample stands for; default its key (s3://, gs://) or its file name */
  key?: string
  force?: boolean
}

export interface InferOutcome {
  dir: string
  files: string[]
  inferred: InferredDataset
  keys: string[]
  /** the landing key the sample stands for (the test case's key) */
  landingKey: string
  /** the drafted test case, run once to write its expectations and once more to check them */
  test: CaseResult | undefined
}

interface Sample {
  format: FileFormat
  gzip: boolean
  /** the bytes as the reader reads them (inflated) */
  plain: Uint8Array
  key: string
  delimiter?: CsvDelimiter
  columns: string[]
  sourceTypes?: ColumnInfo[]
  rows: Row[]
}

/** The separator a CSV header uses: the file name's, unless the header holds none of it but another. */
function sniffDelimiter(plain: Uint8Array, key: string): CsvDelimiter {
  const named = csvDelimiterOf(key)
  const end = plain.indexOf(0x0a)
  const header = new TextDecoder().decode(plain.subarray(0, end === -1 ? Math.min(plain.length, 65_536) : end))
  if (header.includes(named)) return named
  const counts = CSV_DELIMITERS.map((d) => [d, header.split(d).length - 1] as const)
  const [best] = counts.sort((a, b) => b[1] - a[1])
  return best && best[1] > 0 ? best[0] : named
}

async function readSample(source: ObjectSource, maxDecompressedBytes: number): Promise<Sample> {
  const bytes = await source.readAll()
  const { format, compression } = detectFormat(source.key, bytes)
  const gzip = compression === 'gzip'
  const plain = gzip ? gunzipSync(bytes, { maxOutputLength: maxDecompressedBytes }) : bytes
  const key = gzip ? stripGzipSuffix(source.key) : source.key
  const delimiter = format === 'csv' ? sniffDelimiter(plain, key) : undefined
  const rows: Row[] = []
  for await (const batch of readRecords(key, plain, { delimiter })) {
    for (const row of batch.rows) if (rows.length < MAX_SAMPLE_ROWS) rows.push(row)
    if (rows.length >= MAX_SAMPLE_ROWS) break
  }
  if (format === 'parquet') {
    const sourceTypes = parquetMetadata(plain).columns
    return { format, gzip, plain, key, columns: sourceTypes.map((c) => c.name), sourceTypes, rows }
  }
  const columns = format === 'csv' ? readCsvHeader(plain.subarray(0, 1 << 20), delimiter) : []
  if (rows.length === 0) throw new FormatError(`${source.url} holds no readable row to infer a dataset from`)
  return { format, gzip, plain, key, ...(delimiter ? { delimiter } : {}), columns, rows }
}

function csvField(value: unknown, delimiter: string): string {
  const text = value === undefined || value === null ? '' : String(value)
  return /["\r\n]/.test(text) || text.includes(delimiter) ? `"${text.replaceAll('"', '""')}"` : text
}

/** The first lines of NDJSON text that hold a record, as they are. */
function firstLines(plain: Uint8Array, count: number): string {
  const lines: string[] = []
  for (const line of new TextDecoder().decode(plain).split('\n')) {
    if (line.trim() !== '') lines.push(line)
    if (lines.length === count) break
  }
  return `${lines.join('\n')}\n`
}

/** The test input: the sample's first rows in its own format (and gzip), or the sample when that short. */
function caseInput(sample: Sample, inferred: InferredDataset, original: Uint8Array): Uint8Array {
  if (sample.rows.length <= CASE_ROWS) return original
  const rows = sample.rows.slice(0, CASE_ROWS)
  let plain: Uint8Array
  if (sample.format === 'parquet') plain = writeParquet(inferred.outputColumns, rows)
  else if (sample.format === 'ndjson') plain = Buffer.from(firstLines(sample.plain, CASE_ROWS))
  else {
    const d = sample.delimiter ?? ','
    const lines = [sample.columns, ...rows.map((row) => sample.columns.map((c) => row[c]))]
    plain = Buffer.from(`${lines.map((line) => line.map((v) => csvField(v, d)).join(d)).join('\n')}\n`)
  }
  return sample.gzip ? gzipSync(plain) : plain
}

/**
 * How a dataset.yaml in `dir` names the project's dataset.schema.json for editors: the project is
 * the folder above the datasets folder, which gets a copy when it has none (as `ferry init` writes).
 * None for a dataset written outside a datasets folder.
 */
function schemaModeline(dir: string): string | undefined {
  const datasets = dirname(dir)
  if (basename(datasets) !== 'datasets') return undefined
  const schema = join(dirname(datasets), PROJECT_SCHEMA_FILE)
  if (!existsSync(schema)) copyFileSync(DATASET_SCHEMA_FILE, schema)
  return relative(dir, schema)
}

export async function inferProject(app: App, request: InferRequest): Promise<InferOutcome> {
  const { source, name, dir } = request
  if (existsSync(dir) && !request.force) {
    throw new UsageError(`${dir} already exists; choose another --name or --out, or use --force to replace it`)
  }
  const sample = await readSample(source, app.config.work.limits.maxDecompressedBytes)
  const inferred = inferDataset({
    format: sample.format,
    columns: sample.columns,
    rows: sample.rows,
    ...(sample.sourceTypes ? { sourceTypes: sample.sourceTypes } : {}),
  })
  const local = source.bucket === ''
  const landingKey = request.key ?? (local ? basename(source.key) : source.key)
  const keys = [keyPattern(landingKey, local && request.key === undefined)]
  if (request.force) rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'tests', 'sample'), { recursive: true })
  const modeline = schemaModeline(dir)
  const yaml = datasetYaml({
    ...(modeline ? { schemaModeline: modeline } : {}),
    description: `Drafted from ${basename(source.key)} (${sample.rows.length} row(s) read).`,
    keys,
    ...(inferred.eventTimeField ? { eventTime: inferred.eventTimeField } : {}),
    casts: inferred.casts,
    columns: inferred.outputColumns,
    checks: inferred.checks,
    ...(sample.delimiter && sample.delimiter !== csvDelimiterOf(sample.key)
      ? { csv: { delimiter: sample.delimiter } }
      : {}),
    notes: inferred.notes,
  })
  writeFileSync(join(dir, 'dataset.yaml'), yaml)
  const { $schema, ...rest } = inferred.schema
  writeFileSync(join(dir, 'schema.json'), `${JSON.stringify({ $schema, title: name, ...rest }, null, 2)}\n`)
  const inputName = `input.${basename(sample.key).split('.').slice(1).join('.') || sample.format}${sample.gzip ? '.gz' : ''}`
  writeFileSync(join(dir, 'tests', 'sample', inputName), caseInput(sample, inferred, await source.readAll()))
  writeFileSync(
    join(dir, 'tests', 'sample', 'case.yaml'),
    `# the landing key the sample stands for\nkey: ${JSON.stringify(landingKey)}\n`,
  )
  const test = await draftExpectations(app, dir)
  const files = [
    'dataset.yaml',
    'schema.json',
    `tests/sample/${inputName}`,
    'tests/sample/case.yaml',
    'tests/sample/expected.ndjson',
  ]
  if (existsSync(join(dir, 'tests', 'sample', 'rejected.ndjson'))) files.push('tests/sample/rejected.ndjson')
  return { dir, files, inferred, keys, landingKey, test }
}

/** Loads the draft like any dataset, has the engine write the case's expectations, then runs it. */
async function draftExpectations(app: App, dir: string): Promise<CaseResult | undefined> {
  const loaded = loadDatasetFolder(dir)
  if (!loaded.ok) {
    throw new ConfigError(
      `the draft in ${dir} does not load (a bug in ferry infer; please report it with the sample)`,
      loaded.problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ''}: ${p.problem}`),
    )
  }
  const draft = { ...app, project: { datasetsDir: dirname(dir), datasets: [loaded.spec] } }
  await runDatasetTests(draft, { update: true })
  return (await runDatasetTests(draft))[0]
}
