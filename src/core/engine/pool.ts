/**
 * A small pool of worker threads that run the engine, and the debug kit's jobs, with time limits that
 * really stop them. A damaged data page can send a decoder into an endless loop, and a dataset's own
 * code can loop too; no promise race can interrupt that on the thread it runs on; terminating the
 * worker can, and the pool starts a fresh one for the next file. Two limits: the whole file's
 * (`fileTimeoutMs`), and progress (`stallMs`): a worker that neither reads, writes nor finishes a
 * batch for that long is stuck, not slow.
 */
import { Worker } from 'node:worker_threads'
import { ConfigError } from '../../errors.js'
import type { DatasetSpec } from '../dataset-spec.js'
import type { EngineOptions, EngineSinks, FileReport } from '../engine.js'
import type { RangeReader } from '../formats/parquet.js'
import { EngineTimeoutError, StallError } from './limits.js'
import {
  deserializeError,
  type FromWorker,
  type Job,
  serializeError,
  type ToWorker,
  type WorkerData,
} from './protocol.js'

export interface PoolOptions {
  /** every dataset a file may be run as; each worker thread imports their code when it starts */
  datasets: readonly DatasetSpec[]
  /** per-file limit, from start to report, unless a run sets its own (`limits.fileTimeoutMs`) */
  timeoutMs: number
  /** longest a file may go without progress, unless a run sets its own (`limits.stallMs`); none by default */
  stallMs?: number
  /** worker threads, i.e. files processed at once; default 1 */
  size?: number
  /** the compiled worker module; default `defaultWorkerUrl()` */
  workerUrl?: URL
}

/**
 * A module of the build as a worker thread loads it. Run from TypeScript sources (the tests), the
 * build's copy: a worker thread cannot load TypeScript, so the build must be current.
 */
export function compiledUrl(url: URL): URL {
  if (!url.pathname.endsWith('.ts')) return url
  // the package's own src/: the last one in the path
  const path = url.pathname.replace(/\/src\/(?!.*\/src\/)/, '/dist/src/').replace(/\.ts$/, '.js')
  return new URL(`file://${path}`)
}

/** worker.js beside this module, as the build lays it out. */
export function defaultWorkerUrl(): URL {
  return compiledUrl(new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url))
}

/** setTimeout fires at once for a longer delay (about 24.8 days), so longer limits wait this long. */
const MAX_TIMER_MS = 2 ** 31 - 1
/** how long a new worker may take to import the datasets' code before `ready` gives up on it */
const LOAD_TIMEOUT_MS = 30_000

/** The time limits one run is held to. */
export interface RunLimits {
  timeoutMs: number
  stallMs?: number
}

interface Task {
  reader: RangeReader
  job: Job
  /** for messages: the dataset and key, or the job's name */
  label: string
  /** for the time-limit errors' context */
  context: Record<string, unknown>
  sinks: EngineSinks
  limits: RunLimits
  resolve: (result: unknown) => void
  reject: (err: unknown) => void
  /**
   * Each sink's last write. The worker sends writes without waiting for them, so they are chained:
   * a sink gets its chunks one at a time and in order, and none after one that failed.
   */
  writes: Record<keyof EngineSinks, Promise<void>>
}

/** One worker thread and the file it is processing, if any. */
class Slot {
  readonly worker: Worker
  task: Task | undefined
  private timer: NodeJS.Timeout | undefined
  private watchdog: NodeJS.Timeout | undefined
  private lastProgress = 0
  private retired = false
  private readonly onRetire: (slot: Slot) => void
  private readonly onIdle: (slot: Slot) => void
  /** settles once the worker imported the datasets' code, or could not */
  readonly loaded: Promise<void>
  private onLoaded: { resolve: () => void; reject: (err: unknown) => void } | undefined

  constructor(url: URL, data: WorkerData, onIdle: (slot: Slot) => void, onRetire: (slot: Slot) => void) {
    this.onIdle = onIdle
    this.onRetire = onRetire
    this.loaded = new Promise((resolve, reject) => {
      this.onLoaded = { resolve, reject }
    })
    // a worker nobody waits for yet must not turn its load failure into an unhandled rejection
    this.loaded.catch(() => {})
    this.worker = new Worker(url, { workerData: data })
    this.worker.unref()
    this.worker.on('message', (message: FromWorker) => void this.handle(message))
    this.worker.on('error', (err) => this.retire(err))
    this.worker.on('exit', (code) => this.retire(new Error(`engine worker exited with code ${code}`)))
  }

  start(task: Task): void {
    const { timeoutMs, stallMs } = task.limits
    const detail = `${task.label}, ${task.reader.size} bytes; a damaged file can stall a decoder`
    const context = { ...task.context, bytes: task.reader.size }
    this.task = task
    this.worker.ref()
    this.timer = setTimeout(
      () => this.retire(new EngineTimeoutError(timeoutMs, detail, context)),
      Math.min(timeoutMs, MAX_TIMER_MS),
    )
    if (stallMs !== undefined) {
      this.lastProgress = Date.now()
      this.watchdog = setInterval(
        () => {
          if (Date.now() - this.lastProgress > stallMs) this.retire(new StallError(stallMs, detail, context))
        },
        Math.max(25, Math.min(1000, stallMs / 4)),
      )
    }
    const message: ToWorker = { type: 'run', size: task.reader.size, job: task.job }
    this.worker.postMessage(message)
  }

  /** Ends the current task with `err` and this worker with it; the pool replaces it. */
  retire(err: unknown): void {
    if (this.retired) return
    this.retired = true
    this.onLoaded?.reject(err)
    const task = this.finish()
    this.onRetire(this)
    void this.worker.terminate()
    task?.reject(err)
  }

  private finish(): Task | undefined {
    clearTimeout(this.timer)
    clearInterval(this.watchdog)
    const task = this.task
    this.task = undefined
    this.worker.unref()
    return task
  }

  private async reply(request: number, work: () => Promise<Uint8Array | undefined>): Promise<void> {
    let message: ToWorker
    try {
      const result = await work()
      // reads are copied: the reader's bytes may be a view onto data it still owns
      const bytes = result?.slice()
      message = { type: 'reply', request, bytes }
      this.worker.postMessage(message, bytes ? [bytes.buffer] : [])
    } catch (err) {
      message = { type: 'reply', request, error: serializeError(err) }
      this.worker.postMessage(message)
    }
  }

  private async handle(message: FromWorker): Promise<void> {
    if (message.type === 'ready' || message.type === 'unusable') {
      if (message.type === 'ready') this.onLoaded?.resolve()
      else this.onLoaded?.reject(deserializeError(message.error))
      this.onLoaded = undefined
      return
    }
    const task = this.task
    if (!task) return
    this.lastProgress = Date.now()
    switch (message.type) {
      case 'progress':
        return
      case 'read':
        return this.reply(message.request, () => task.reader.read(message.start, message.end))
      case 'write': {
        const { sink, bytes } = message
        const written = task.writes[sink].then(() => task.sinks[sink].write(bytes))
        task.writes[sink] = written
        return this.reply(message.request, async () => {
          await written
          return undefined
        })
      }
      case 'done':
        this.finish()
        task.resolve(message.result)
        this.onIdle(this)
        return
      case 'failed':
        this.finish()
        task.reject(deserializeError(message.error))
        this.onIdle(this)
    }
  }
}

const ignored = { write: async () => undefined, close: async () => undefined }

/**
 * Runs `processSource`, or a job, in worker threads, at most `size` at once (more wait their turn),
 * each within its time limits. The datasets cross to each thread as plain definitions (DatasetSpec)
 * and the thread imports their code itself; a file names its dataset.
 */
export class EnginePool {
  private readonly options: PoolOptions
  private readonly url: URL
  private readonly idle: Slot[] = []
  private readonly busy = new Set<Slot>()
  private readonly queue: Task[] = []
  private closed = false

  constructor(options: PoolOptions) {
    this.options = options
    this.url = options.workerUrl ?? defaultWorkerUrl()
  }

  /**
   * Processes one source like `processSource`, in a worker. Rejects with EngineTimeoutError (code
   * FERRY_TIMEOUT, not retryable) when it takes longer than `limits.fileTimeoutMs` (else the pool's
   * limit), StallError (FERRY_TIMEOUT) when it makes no progress for `limits.stallMs`, having stopped
   * the worker; otherwise resolves or rejects as `processSource` does. The time limits include
   * waiting for the reader and sinks, not for a free worker. The sinks are written, never closed.
   */
  run(reader: RangeReader, dataset: string, sinks: EngineSinks, options: EngineOptions = {}): Promise<FileReport> {
    if (!this.options.datasets.some((candidate) => candidate.name === dataset)) {
      return Promise.reject(new ConfigError(`dataset ${dataset} is not one of the engine's datasets`))
    }
    // the worker gets no deadline of its own: the pool's timers are the ones that can stop it
    const { fileTimeoutMs, stallMs, ...limits } = options.limits ?? {}
    const { progress: _, ...rest } = options
    const job: Job = { kind: 'process', dataset, options: { ...rest, limits } }
    const label = `dataset ${dataset}, ${options.key ?? 'a source'}`
    const context = { dataset, ...(options.key ? { key: options.key } : {}) }
    return this.submit(
      reader,
      job,
      { label, context },
      sinks,
      this.limitsOf(fileTimeoutMs, stallMs),
    ) as Promise<FileReport>
  }

  /**
   * Runs a job (an exported function of a module the worker imports, see protocol.ts) on a source,
   * within the same time limits as a file. `output` receives what the job streams.
   */
  runJob<T>(
    reader: RangeReader,
    job: Extract<Job, { kind: 'module' }>,
    output: EngineSinks['output'] = ignored,
    limits: { fileTimeoutMs?: number; stallMs?: number } = {},
  ): Promise<T> {
    const sinks = { output, quarantine: ignored }
    const about = { label: job.name, context: { job: job.name } }
    return this.submit(reader, job, about, sinks, this.limitsOf(limits.fileTimeoutMs, limits.stallMs)) as Promise<T>
  }

  /**
   * Starts a worker and waits until it has imported every dataset's code, so that a broken transform
   * module stops a command at boot (ConfigError naming the module) rather than at its first file.
   */
  async ready(): Promise<void> {
    if (this.idle.length > 0 || this.busy.size > 0) return
    const slot = this.newSlot()
    this.idle.push(slot)
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new ConfigError(`the datasets' transform modules did not load within ${LOAD_TIMEOUT_MS / 1000} s`)),
        LOAD_TIMEOUT_MS,
      )
    })
    slot.worker.ref()
    try {
      await Promise.race([slot.loaded, late])
    } catch (err) {
      slot.retire(err)
      throw err
    } finally {
      clearTimeout(timer)
      if (!slot.task) slot.worker.unref()
    }
  }

  /** Stops every worker at once; files in progress or waiting are rejected with `reason`. */
  async close(reason: unknown = new ConfigError('the engine pool was closed')): Promise<void> {
    this.closed = true
    for (const task of this.queue.splice(0)) task.reject(reason)
    const slots = [...this.idle.splice(0), ...this.busy]
    for (const slot of slots) slot.retire(reason)
  }

  private limitsOf(fileTimeoutMs: number | undefined, stallMs: number | undefined): RunLimits {
    const stall = stallMs ?? this.options.stallMs
    return { timeoutMs: fileTimeoutMs ?? this.options.timeoutMs, ...(stall !== undefined ? { stallMs: stall } : {}) }
  }

  private submit(
    reader: RangeReader,
    job: Job,
    about: Pick<Task, 'label' | 'context'>,
    sinks: EngineSinks,
    limits: RunLimits,
  ) {
    if (this.closed) return Promise.reject(new ConfigError('the engine pool is closed'))
    return new Promise<unknown>((resolve, reject) => {
      const writes = { output: Promise.resolve(), quarantine: Promise.resolve() }
      this.queue.push({ reader, job, ...about, sinks, limits, resolve, reject, writes })
      this.dispatch()
    })
  }

  private dispatch(): void {
    const size = this.options.size ?? 1
    while (this.queue.length > 0) {
      let slot = this.idle.pop()
      if (!slot) {
        if (this.busy.size >= size) return
        slot = this.newSlot()
      }
      this.busy.add(slot)
      slot.start(this.queue.shift()!)
    }
  }

  private newSlot(): Slot {
    return new Slot(
      this.url,
      { datasets: this.options.datasets },
      (done) => this.release(done),
      (gone) => this.remove(gone),
    )
  }

  private release(slot: Slot): void {
    this.busy.delete(slot)
    if (!this.closed) this.idle.push(slot)
    this.dispatch()
  }

  private remove(slot: Slot): void {
    this.busy.delete(slot)
    const index = this.idle.indexOf(slot)
    if (index !== -1) this.idle.splice(index, 1)
    if (!this.closed) this.dispatch()
  }
}
