/**
 * Parquet reads in a worker thread, with a watchdog and a heap cap: a decoder caught in a loop is a
 * synchronous loop, which would block the test's own thread and vitest's timeout with it; the
 * watchdog terminates the worker instead and reports the read as hung, and a read that outgrows the
 * heap cap ends the worker and is reported as crashed. A fresh worker takes the next read.
 */
import { Worker } from 'node:worker_threads'

const REPO = new URL('../../../../../', import.meta.url)

/** Module hooks so a plain worker thread can import Ferry's TypeScript (vitest transforms only its own). */
const TS_HOOKS = `
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
const ts = createRequire(${JSON.stringify(import.meta.url)})('typescript')
export async function resolve(specifier, context, next) {
  if (context.parentURL?.endsWith('.ts') && /^\\.\\.?\\//.test(specifier) && specifier.endsWith('.js')) {
    try { return await next(specifier.slice(0, -3) + '.ts', context) } catch {}
  }
  return next(specifier, context)
}
export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context)
  const { outputText } = ts.transpileModule(await readFile(fileURLToPath(url), 'utf8'), {
    fileName: fileURLToPath(url),
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  })
  return { format: 'module', source: outputText, shortCircuit: true }
}`

/**
 * The worker: `rows` reads a file whole (readParquetRows); `scan` reads it batch by batch with one
 * decoder under page limits, as the engine does, and digests the values, and `footer` summarises
 * its footer as `ferry inspect` does.
 */
const WORKER = `
import { createHash } from 'node:crypto'
import { register } from 'node:module'
import { parentPort, workerData } from 'node:worker_threads'
register('data:text/javascript,' + encodeURIComponent(workerData.hooks))
const { bytesReader, openParquet, readParquetRows } = await import(workerData.parquet)
const { jsonValue } = await import(workerData.values)
const { fetchFooter, summariseFooter } = await import(workerData.footer)
const text = (value) => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? v.toString() : v))
async function scan({ bytes, decoder, limits }) {
  const input = await openParquet(bytesReader(bytes), { limits })
  const digest = createHash('sha1')
  let rows = 0
  for await (const batch of input.batches({ decoder })) {
    rows += batch.length
    for (const [name, values] of Object.entries(batch.columns)) digest.update(name + text(Array.from(values, jsonValue)))
  }
  return { kind: 'read', rows, digest: digest.digest('hex') }
}
async function run(job) {
  if (job.kind === 'rows') {
    const { rows, columns } = await readParquetRows(job.bytes)
    return { kind: 'read', rows, columns: columns.map((c) => c.name) }
  }
  if (job.kind === 'footer') {
    const summary = summariseFooter(await fetchFooter(bytesReader(job.bytes)))
    return { kind: 'read', rows: summary.rows }
  }
  return scan(job)
}
parentPort.on('message', async (job) => {
  try {
    parentPort.postMessage(await run(job))
  } catch (err) {
    const e = err ?? {}
    parentPort.postMessage({ kind: 'threw', name: e.name, code: e.code, feature: e.feature, message: String(e.message ?? e), stack: e.stack })
  }
})
parentPort.postMessage({ kind: 'ready' })`

export type Job =
  | { kind: 'rows'; bytes: Uint8Array }
  | { kind: 'footer'; bytes: Uint8Array }
  | {
      kind: 'scan'
      bytes: Uint8Array
      decoder: 'fast' | 'hyparquet'
      limits?: { maxPageBytes?: number; maxDecompressedBytes?: number }
    }

export type Outcome =
  | { kind: 'read'; rows: unknown; columns?: string[]; digest?: string }
  | { kind: 'threw'; name: string; code?: string; feature?: string; message: string; stack?: string }
  | { kind: 'hung' }
  | { kind: 'crashed'; message: string }

export interface IsolationOptions {
  /** a read that takes longer is hung (the worker's startup included) */
  timeoutMs: number
  /** the worker's heap cap: a read that needs more ends the worker (reported as crashed) */
  maxHeapMb?: number
}

export class IsolatedReader {
  private worker: Promise<Worker> | undefined
  private readonly options: IsolationOptions

  constructor(options: IsolationOptions) {
    this.options = options
  }

  private start(): Promise<Worker> {
    const src = (path: string) => new URL(path, REPO).href
    const heap = this.options.maxHeapMb
    const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(WORKER)}`), {
      workerData: {
        hooks: TS_HOOKS,
        parquet: src('src/core/formats/parquet.ts'),
        values: src('src/core/formats/parquet/values.ts'),
        footer: src('src/ops/debug/parquet-footer.ts'),
      },
      ...(heap ? { resourceLimits: { maxOldGenerationSizeMb: heap, maxYoungGenerationSizeMb: 32 } } : {}),
    })
    return new Promise((resolve, reject) => {
      worker.once('message', () => resolve(worker))
      worker.once('error', reject)
    })
  }

  /** Runs one job; a worker that does not answer within the time limit (startup included) is terminated. */
  async run(job: Job): Promise<Outcome> {
    this.worker ??= this.start()
    const started = this.worker
    return new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => {
        this.worker = undefined
        void started.then((worker) => worker.terminate())
        resolve({ kind: 'hung' })
      }, this.options.timeoutMs)
      const settle = (outcome: Outcome) => {
        clearTimeout(timer)
        resolve(outcome)
      }
      started.then(
        (worker) => {
          const onMessage = (message: Outcome) => {
            detach()
            settle(message)
          }
          const onError = (err: unknown) => {
            detach()
            this.worker = undefined
            settle({ kind: 'crashed', message: String(err) })
          }
          const detach = () => {
            worker.off('message', onMessage)
            worker.off('error', onError)
          }
          worker.on('message', onMessage)
          worker.on('error', onError)
          worker.postMessage(job)
        },
        (err: unknown) => {
          this.worker = undefined
          settle({ kind: 'crashed', message: `the reader worker did not start: ${String(err)}` })
        },
      )
    })
  }

  async close(): Promise<void> {
    const worker = this.worker
    this.worker = undefined
    await (await worker)?.terminate()
  }
}
