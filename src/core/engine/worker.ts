/**
 * An engine worker thread (see pool.ts): imports the datasets' own code (user-code.ts), then runs
 * processSource for one file at a time, reading and writing through requests to the main thread. The
 * pool terminates it when a file takes too long, which stops even a decoder, or a dataset's code,
 * stuck in a loop.
 *
 * Sink writes do not wait for the main thread: a write is sent and the engine carries on, until the
 * bytes sent but not yet written pass MAX_WRITE_BYTES_IN_FLIGHT (backpressure). A failed write fails
 * the next write and, at the latest, the file, which is reported done only once every write landed.
 */
import { performance } from 'node:perf_hooks'
import { parentPort, workerData } from 'node:worker_threads'
import { ConfigError } from '../../errors.js'
import type { Dataset } from '../dataset.js'
import { processSource } from '../engine.js'
import type { ByteSink, RangeReader } from '../formats/parquet.js'
import {
  deserializeError,
  type FromWorker,
  type Job,
  type JobFunction,
  MAX_WRITE_BYTES_IN_FLIGHT,
  serializeError,
  type ToWorker,
  transferable,
  type WorkerData,
} from './protocol.js'
import { loadDatasets } from './user-code.js'

const port = parentPort!
/** progress heartbeats sent at most this often: the watchdog's window is seconds, not milliseconds */
const PROGRESS_EVERY_MS = 250
const pending = new Map<number, { resolve: (bytes: Uint8Array | undefined) => void; reject: (err: unknown) => void }>()
let nextRequest = 0

/** Sends the message built for a fresh request id and waits for the main thread's reply to it. */
function request(
  build: (request: number) => FromWorker,
  transfer: ArrayBuffer[] = [],
): Promise<Uint8Array | undefined> {
  const id = nextRequest++
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject })
    port.postMessage(build(id), transfer)
  })
}

/** Requests of the current file still waiting for their reply, whatever they turn out to be. */
const outstanding = new Set<Promise<unknown>>()

function tracked<T>(promise: Promise<T>): Promise<T> {
  const settled: Promise<unknown> = promise.then(
    () => outstanding.delete(settled),
    () => outstanding.delete(settled),
  )
  outstanding.add(settled)
  return promise
}

/** Until every request sent so far has its reply, so that none is left running for a finished file. */
async function settle(): Promise<void> {
  while (outstanding.size > 0) await Promise.all(outstanding)
}

function reader(size: number): RangeReader {
  return {
    size,
    read: async (start, end) => (await tracked(request((id) => ({ type: 'read', request: id, start, end }))))!,
  }
}

/** The sink writes of one file: sent without waiting for them to land, bounded by the bytes in flight. */
class Writes {
  private inFlight = 0
  /** the first write that failed: it fails every later write and the file */
  private failure: { error: unknown } | undefined
  /** writers waiting for room, woken whenever a write lands */
  private waiting: Array<() => void> = []

  sink(name: 'output' | 'quarantine'): ByteSink {
    return {
      write: async (chunk) => {
        // room: the bytes in flight stay within the limit, or are this one write alone
        while (this.inFlight > 0 && this.inFlight + chunk.byteLength > MAX_WRITE_BYTES_IN_FLIGHT && !this.failure) {
          await new Promise<void>((resolve) => this.waiting.push(resolve))
        }
        this.check()
        const bytes = transferable(chunk)
        const size = bytes.byteLength
        this.inFlight += size
        const sent = request((id) => ({ type: 'write', request: id, sink: name, bytes }), [bytes.buffer as ArrayBuffer])
        void tracked(sent).then(
          () => this.land(size),
          (error: unknown) => {
            this.failure ??= { error }
            this.land(size)
          },
        )
      },
      // the main thread owns the real sink and closes it
      close: async () => undefined,
    }
  }

  /** Throws the first failed write, if any. */
  check(): void {
    if (this.failure) throw this.failure.error
  }

  private land(size: number): void {
    this.inFlight -= size
    for (const wake of this.waiting.splice(0)) wake()
  }
}

/** Tells the pool the job is moving, at most a few times a second. */
let lastProgress = 0
function progress(): void {
  const now = performance.now()
  if (now - lastProgress < PROGRESS_EVERY_MS) return
  lastProgress = now
  port.postMessage({ type: 'progress' } satisfies FromWorker)
}

async function runJob(job: Job, size: number, writes: Writes): Promise<unknown> {
  const loaded = await datasets
  const output = writes.sink('output')
  if (job.kind === 'module') {
    const run = (await import(job.module))[job.name] as JobFunction
    return run({ reader: reader(size), output, progress, datasets: loaded }, job.input as never)
  }
  const dataset = loaded.get(job.dataset)
  if (!dataset) throw new ConfigError(`dataset ${job.dataset} is not one of the engine's datasets`)
  const sinks = { output, quarantine: writes.sink('quarantine') }
  return processSource(reader(size), dataset, sinks, { ...job.options, progress })
}

async function run(message: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  const writes = new Writes()
  let reply: FromWorker
  try {
    const result = await runJob(message.job, message.size, writes)
    await settle()
    writes.check()
    reply = { type: 'done', result }
  } catch (err) {
    reply = { type: 'failed', error: serializeError(err) }
  }
  // a failed file may leave requests behind (a read ahead, writes in flight): the pool hears of the
  // end only after them, so that nothing touches the caller's reader or sinks once the file is over
  await settle()
  port.postMessage(reply)
}

/** Every dataset this thread may run, its code imported once, when the thread starts. */
const datasets: Promise<Map<string, Dataset>> = loadDatasets((workerData as WorkerData).datasets)
datasets.then(
  () => port.postMessage({ type: 'ready' } satisfies FromWorker),
  (err: unknown) => port.postMessage({ type: 'unusable', error: serializeError(err) } satisfies FromWorker),
)

port.on('message', (message: ToWorker) => {
  if (message.type === 'run') {
    void run(message)
    return
  }
  const waiting = pending.get(message.request)
  pending.delete(message.request)
  if (message.error) waiting?.reject(deserializeError(message.error))
  else waiting?.resolve(message.bytes)
})
