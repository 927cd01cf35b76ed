/**
 * `ferry test`: each dataset test case through the exact path `ferry work` takes for an object (key
 * matching, the engine's worker threads with their limits, the output and quarantine writes), on
 * local buckets in a temporary folder, then the written rows compared with the case's expectations.
 */
import { randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { LocalObjectStore } from '../adapters/local/object-store.js'
import { type FileDeps, processObject } from '../consumers/work.js'
import type { Row } from '../core/dataset.js'
import type { DatasetSpec } from '../core/dataset-spec.js'
import type { FileEngine } from '../core/engine/runner.js'
import type { QuarantineLine } from '../core/engine.js'
import { canonicalRow, compareRejected, compareRows, type ExpectedRejection } from '../core/expected-rows.js'
import { readParquetRows } from '../core/formats/parquet.js'
import type { FileResult, ObjectMessage } from '../core/messages.js'
import { errorMessage } from '../errors.js'
import { findCases, readNdjson, type TestCase } from '../project/cases.js'
import type { App } from './boot.js'
import { withEngine } from './wiring.js'

const LANDING = 'landing'
const LAKE = 'lake'

export interface CaseResult {
  dataset: string
  name: string
  dir: string
  status: 'pass' | 'fail'
  durationMs: number
  /** rows written and rejected, when the file was processed */
  rows?: { out: number; rejected: number }
  /** why it failed: the first differences, or what stopped the case */
  problems: string[]
  /** set by `update`: the files rewritten from what the engine wrote */
  updated?: string[]
}

export interface TestOptions {
  /** only these datasets (default all) */
  datasets?: readonly string[]
  /** rewrite expected.ndjson and rejected.ndjson from what the engine wrote (a snapshot update) */
  update?: boolean
  /** SIGINT/SIGTERM: the case in hand stops at once */
  signal?: AbortSignal
}

interface CaseRun {
  root: string
  deps: FileDeps
}

/** Runs every case of the chosen datasets; the caller checks `datasets` names exist. */
export async function runDatasetTests(app: App, options: TestOptions = {}): Promise<CaseResult[]> {
  const wanted = options.datasets?.length ? new Set(options.datasets) : undefined
  const cases = findCases(app.project.datasets.filter((d) => !wanted || wanted.has(d.name)))
  if (cases.length === 0) return []
  const root = await mkdtemp(join(tmpdir(), 'ferry-test-'))
  try {
    return await withEngine(
      app,
      async (engine) => {
        const results: CaseResult[] = []
        for (const testCase of cases) {
          results.push(await runCase(app, { root, deps: fileDeps(app, root, engine) }, testCase, options))
        }
        return results
      },
      { signal: options.signal },
    )
  } finally {
    await rm(root, { recursive: true, force: true })
  }
}

function fileDeps(app: App, root: string, engine: FileEngine): FileDeps {
  const store = new LocalObjectStore({ root: join(root, 'buckets') })
  return {
    source: store,
    output: { store, bucket: LAKE, prefix: '', quarantinePrefix: 'quarantine' },
    datasets: app.project.datasets,
    engine,
    retry: { maxAttempts: 1, baseMs: 0 },
    logger: app.logger.child({ component: 'test' }),
    uri: (_store, bucket, key) => `${bucket}/${key}`,
  }
}

async function runCase(app: App, run: CaseRun, testCase: TestCase, options: TestOptions): Promise<CaseResult> {
  const started = performance.now()
  const base = { dataset: testCase.dataset, name: testCase.name, dir: testCase.dir }
  const finish = (problems: string[], extra: Partial<CaseResult> = {}): CaseResult => ({
    ...base,
    status: problems.length === 0 ? 'pass' : 'fail',
    durationMs: Math.round(performance.now() - started),
    problems,
    ...extra,
  })
  if (testCase.problems.length > 0) return finish(testCase.problems)
  let result: FileResult
  try {
    result = await processCase(run, testCase)
  } catch (err) {
    return finish([`could not run: ${errorMessage(err)}`])
  }
  const matched = matchProblems(testCase, result)
  if (matched.length > 0 || testCase.expect.status === 'dead-lettered' || result.status === 'dead-lettered') {
    return finish(matched)
  }
  const dataset = app.project.datasets.find((d) => d.name === testCase.dataset)!
  const written = await writtenRows(run, result, dataset)
  const rows = { out: written.rows.length, rejected: written.rejected.length }
  if (options.update) return finish([], { rows, updated: await update(testCase, written) })
  const problems: string[] = []
  const expectedFile = join(testCase.dir, 'expected.ndjson')
  if (!existsSync(expectedFile)) {
    return finish(
      ['no expected.ndjson: write it, or run `ferry test --update` to make it from this output and review it'],
      { rows },
    )
  }
  const expected = readNdjson<Row>(expectedFile, problems)
  const rejected = readNdjson<ExpectedRejection>(join(testCase.dir, 'rejected.ndjson'), problems)
  problems.push(...compareRows(expected, written.rows, dataset.outputColumns))
  problems.push(...compareRejected(rejected, written.rejected))
  return finish(problems, { rows })
}

async function processCase(run: CaseRun, testCase: TestCase): Promise<FileResult> {
  const bytes = await readFile(testCase.input)
  const info = await run.deps.source.put(LANDING, testCase.key, bytes)
  const now = new Date().toISOString()
  const message: ObjectMessage = {
    schema: 'ferry.object/v1',
    runId: `test-${testCase.dataset}-${testCase.name}`,
    traceId: randomUUID().replaceAll('-', ''),
    bucket: LANDING,
    key: testCase.key,
    size: info.size,
    ...(info.etag ? { eTag: info.etag } : {}),
    eventTime: now,
    eventName: 'ObjectCreated:Put',
    enqueuedAt: now,
  }
  const { result } = await processObject(run.deps, message, run.deps.logger)
  return result
}

/** The case's dataset must take its key, and the file end as the case expects. */
function matchProblems(testCase: TestCase, result: FileResult): string[] {
  if (result.error?.code === 'FERRY_NO_DATASET') {
    return [`no dataset takes the key ${testCase.key}: set key: in case.yaml to a key the dataset's patterns match`]
  }
  if (result.dataset !== testCase.dataset) {
    return [
      `the key ${testCase.key} goes to dataset ${result.dataset}, not ${testCase.dataset} (see ferry datasets --match)`,
    ]
  }
  const { expect } = testCase
  if (expect.status === 'dead-lettered') {
    if (result.status !== 'dead-lettered') return [`expected the file to be dead-lettered, it was ${result.status}`]
    if (expect.code && result.error?.code !== expect.code) {
      return [`expected dead-letter code ${expect.code}, got ${result.error?.code}: ${result.error?.message}`]
    }
    return []
  }
  if (result.status === 'dead-lettered') {
    return [`the file was dead-lettered [${result.error?.code}]: ${result.error?.message ?? 'no reason'}`]
  }
  return []
}

interface Written {
  rows: Row[]
  rejected: QuarantineLine[]
}

async function writtenRows(run: CaseRun, result: FileResult, dataset: DatasetSpec): Promise<Written> {
  const store = run.deps.output.store
  const outputKey = result.output!.slice(LAKE.length + 1)
  const { rows } = await readParquetRows(await store.get(LAKE, outputKey))
  const rejected: QuarantineLine[] = []
  if (result.quarantine) {
    const text = new TextDecoder().decode(await store.get(LAKE, result.quarantine.slice(LAKE.length + 1)))
    for (const line of text.split('\n')) if (line) rejected.push(JSON.parse(line) as QuarantineLine)
  }
  return { rows: rows.map((row) => canonicalRow(row, dataset.outputColumns)), rejected }
}

/** Rewrites the expectations from what was written; rejected.ndjson only when rows were rejected. */
async function update(testCase: TestCase, written: Written): Promise<string[]> {
  const ndjson = (lines: readonly object[]) => lines.map((line) => `${JSON.stringify(line)}\n`).join('')
  await writeFile(join(testCase.dir, 'expected.ndjson'), ndjson(written.rows))
  const updated = ['expected.ndjson']
  const rejectedFile = join(testCase.dir, 'rejected.ndjson')
  if (written.rejected.length > 0) {
    await writeFile(rejectedFile, ndjson(written.rejected))
    updated.push('rejected.ndjson')
  } else await rm(rejectedFile, { force: true })
  return updated
}
