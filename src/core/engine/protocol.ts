/**
 * Messages between the engine pool (pool.ts, main thread) and its workers (worker.ts). The worker
 * does the CPU work; every read of the source and every write to a sink is a request to the main
 * thread, which owns the reader and sinks (object-store clients cannot cross threads).
 */
import { ConfigError, type ErrorCode, FerryError, FormatError, LimitError, UnsupportedError } from '../../errors.js'
import type { Dataset } from '../dataset.js'
import type { DatasetSpec } from '../dataset-spec.js'
import type { EngineOptions } from '../engine.js'
import type { ByteSink, RangeReader } from '../formats/parquet.js'

/** What a worker thread starts with: the definitions of every dataset it may be asked to run. */
export interface WorkerData {
  datasets: readonly DatasetSpec[]
}

/**
 * Bytes a worker may have sent to its sinks that the main thread has not yet written, at most (a
 * larger write goes alone): an output row group or two, so encoding goes on while one is written.
 */
export const MAX_WRITE_BYTES_IN_FLIGHT = 8 * 1024 * 1024

/**
 * What a worker runs on one source: the engine for a dataset (what `work` does with a file), or a
 * job, an exported function of a module the worker imports by URL (`ferry inspect`, `validate`,
 * `cat`), so that every decode a command makes runs under the same limits.
 */
export type Job =
  | { kind: 'process'; dataset: string; options: EngineOptions }
  | { kind: 'module'; module: string; name: string; input: unknown }

/** What a job function gets in the worker thread. */
export interface JobContext {
  reader: RangeReader
  /** streams what the job prints (NDJSON lines, say) back to the main thread */
  output: ByteSink
  /** says the job is moving, for the stall watchdog (reads and writes say so by themselves) */
  progress(): void
  /** the project's datasets, their code imported */
  datasets: ReadonlyMap<string, Dataset>
}

/** A job's function: its result must survive structured cloning back to the main thread. */
export type JobFunction = (context: JobContext, input: never) => Promise<unknown>

export type ToWorker =
  | { type: 'run'; size: number; job: Job }
  | { type: 'reply'; request: number; bytes?: Uint8Array; error?: SerializedError }

export type FromWorker =
  /** the worker imported its datasets' code and takes files; `unusable` when it could not */
  | { type: 'ready' }
  | { type: 'unusable'; error: SerializedError }
  | { type: 'read'; request: number; start: number; end: number }
  /** not awaited by the worker: the main thread writes each sink's chunks in the order they come */
  | { type: 'write'; request: number; sink: 'output' | 'quarantine'; bytes: Uint8Array }
  /** the job is moving (a batch decoded): the stall watchdog's heartbeat */
  | { type: 'progress' }
  | { type: 'done'; result: unknown }
  | { type: 'failed'; error: SerializedError }

export interface SerializedError {
  name: string
  message: string
  code?: ErrorCode
  retryable?: boolean
  context?: Record<string, unknown>
  feature?: string
  /** where it was thrown, in the worker: the main thread's own stack would only show the message port */
  stack?: string
}

export function serializeError(err: unknown): SerializedError {
  if (err instanceof FerryError) {
    return {
      name: err.name,
      message: err.message,
      code: err.code,
      retryable: err.retryable,
      context: err.context,
      feature: err instanceof UnsupportedError ? err.feature : undefined,
      stack: err.stack,
    }
  }
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack }
  return { name: 'Error', message: String(err) }
}

/**
 * The error as the main thread throws it: the same Ferry class, code, flag and context where known,
 * and the worker's stack.
 */
export function deserializeError(data: SerializedError): Error {
  const err = rebuild(data)
  if (data.stack) err.stack = data.stack
  return err
}

function rebuild(data: SerializedError): Error {
  const options = { retryable: data.retryable, context: data.context }
  switch (data.name) {
    case 'FormatError':
      return new FormatError(data.message, options)
    case 'UnsupportedError':
      return new UnsupportedError(data.feature ?? 'unknown', data.message, options)
    case 'LimitError':
      return new LimitError(data.message, options)
    case 'ConfigError':
      return new ConfigError(data.message, [], options)
  }
  if (data.code) return new FerryError(data.code, data.message, options)
  const err = new Error(data.message)
  err.name = data.name
  return err
}

/**
 * Bytes whose whole buffer may be transferred: the array itself when it spans its buffer (the encoder's
 * output does, and is not used again), else a copy, as a view may share its buffer with other data.
 */
export function transferable(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes
    : bytes.slice()
}
