/**
 * A small pool of worker threads that run the engine with a time limit that really stops it. A
 * damaged data page can send hyparquet into an endless loop (test/fixtures/parquet/README.md), which
 * no promise race can interrupt on the thread it runs on; terminating the worker can, and the pool
 * starts a fresh one for the next file.
 */
import { Worker } from 'node:worker_threads'
import { ConfigError } from '../../errors.js'
import type { DatasetSpec } from '../dataset-spec.js'
import type { EngineOptions, EngineSinks, FileReport } from '../engine.js'
import type { RangeReader } from '../formats/parquet.js'
import { EngineTimeoutError } from './limits.js'
import { deserializeError, type FromWorker, serializeError, type ToWorker, type WorkerData } from './protocol.js'

export interface PoolOptions {
  /** every dataset a file may be run as; each worker thread imports their code when it starts */
  datasets: readonly DatasetSpec[]
  /** per-file limit, from start to report, unless a run sets its own (`limits.fileTimeoutMs`) */
  timeoutMs: number
  /** worker threads, i.e. files processed at once; default 1 */
  size?: number
  /** the compiled worker module; default `defaultWorkerUrl()` */
  workerUrl?: URL
}

/**
 * worker.js beside this module, as the build lays it out. Run from TypeScript sources (the tests), the
 * build's copy: a worker thread cannot load TypeScript, so the build must be current.
 */
export function defaultWorkerUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../../dist/src/core/engine/worker.js', import.meta.url)
    : new URL('./worker.js', import.meta.url)
}

/** setTimeout fires at once for a longer delay (about 24.8 days), so longer limits wait this long. */
const MAX_TIMER_MS = 2 ** 31 - 1
/** how long a new worker may take to import the datasets' code before `ready` gives up on it */
const LOAD_TIMEOUT_MS = 30_000

interface Task {
  reader: RangeReader
  dataset: string
  sinks: EngineSinks
  options: EngineOptions
  timeoutMs: number
  resolve: (report: FileReport) => void
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
    const { timeoutMs } = task
    this.task = task
    this.worker.ref()
    this.timer = setTimeout(
      () => {
        const err = new EngineTimeoutError(
          timeoutMs,
          `dataset ${task.dataset}, ${task.options.key ?? 'a source'} of ${task.reader.size} bytes; a damaged file can stall a decoder`,
          { dataset: task.dataset, bytes: task.reader.size },
        )
        this.retire(err)
      },
      Math.min(timeoutMs, MAX_TIMER_MS),
    )
    const message: ToWorker = { type: 'run', dataset: task.dataset, size: task.reader.size, options: task.options }
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
    switch (message.type) {
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
        task.resolve(message.report)
        this.onIdle(this)
        return
      case 'failed':
        this.finish()
        task.reject(deserializeError(message.error))
        this.onIdle(this)
    }
  }
}

/**
 * Runs `processSource` in worker threads, at most `size` files at once (more wait their turn), each
 * limited to `timeoutMs`. The datasets cross to each thread as plain definitions (DatasetSpec) and the
 * thread imports their code itself; a file names its dataset.
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
   * limit), having stopped the worker; otherwise resolves or rejects as `processSource` does. The time
   * limit includes waiting for the reader and sinks, not for a free worker. The sinks are written,
   * never closed.
   */
  run(reader: RangeReader, dataset: string, sinks: EngineSinks, options: EngineOptions = {}): Promise<FileReport> {
    if (this.closed) return Promise.reject(new ConfigError('the engine pool is closed'))
    if (!this.options.datasets.some((candidate) => candidate.name === dataset)) {
      return Promise.reject(new ConfigError(`dataset ${dataset} is not one of the engine's datasets`))
    }
    // the worker gets no deadline of its own: the pool's timer is the one that can stop it
    const { fileTimeoutMs: timeoutMs = this.options.timeoutMs, ...limits } = options.limits ?? {}
    const engine = { ...options, limits }
    return new Promise((resolve, reject) => {
      const writes = { output: Promise.resolve(), quarantine: Promise.resolve() }
      this.queue.push({ reader, dataset, sinks, options: engine, timeoutMs, resolve, reject, writes })
      this.dispatch()
    })
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

  /** Stops every worker; files in progress or waiting are rejected. */
  async close(): Promise<void> {
    this.closed = true
    const err = new ConfigError('the engine pool was closed')
    for (const task of this.queue.splice(0)) task.reject(err)
    const slots = [...this.idle.splice(0), ...this.busy]
    for (const slot of slots) slot.retire(err)
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
