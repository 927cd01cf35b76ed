/**
 * How every command runs the engine: in worker threads, where the file time limit can stop even a
 * decoder caught in a loop, or a dataset's own code caught in one, for every dataset.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ConfigError } from '../../errors.js'
import type { DatasetSpec } from '../dataset-spec.js'
import { type EngineOptions, gatherOutputs, type ProcessedFile } from '../engine.js'
import type { ByteSink, RangeReader } from '../formats/parquet.js'
import type { EngineLimits } from './limits.js'
import { defaultWorkerUrl, EnginePool } from './pool.js'
import type { Job } from './protocol.js'

export interface FileEngine {
  /** processes one source as the named dataset, output and quarantine gathered in memory; throws like `processSource` */
  process(reader: RangeReader, dataset: { name: string }, key: string): Promise<ProcessedFile>
  /** runs a job (protocol.ts) on a source in a worker thread, under the same limits; `output` gets what it streams */
  job<T>(reader: RangeReader, job: ModuleJob, output?: ByteSink): Promise<T>
  /** stops the worker threads at once; whatever runs rejects with `reason` */
  close(reason?: unknown): Promise<void>
}

export type ModuleJob = Extract<Job, { kind: 'module' }>

export interface FileEngineOptions {
  limits: EngineLimits
  decoder?: EngineOptions['decoder']
  /** the project's datasets (src/project/load.ts), as every worker thread gets them */
  datasets: readonly DatasetSpec[]
  /** files processed at once; default 1 */
  threads?: number
  /** each dataset's output codec, by name (its `compression:`, else `output.compression`); default the encoder's */
  codec?: Readonly<Record<string, NonNullable<EngineOptions['codec']>>>
}

/**
 * A FileEngine whose worker threads run every file under the pool's hard time limit. Resolves once a
 * first thread has imported the datasets' code; throws ConfigError when the compiled worker is missing
 * or a dataset's transform module cannot be loaded.
 */
export async function openFileEngine(options: FileEngineOptions): Promise<FileEngine> {
  const workerUrl = defaultWorkerUrl()
  if (!existsSync(fileURLToPath(workerUrl))) {
    throw new ConfigError(`the engine worker ${fileURLToPath(workerUrl)} is missing: run \`npm run build\``)
  }
  const { limits, decoder, datasets, threads, codec } = options
  const pool = new EnginePool({
    datasets,
    timeoutMs: limits.fileTimeoutMs ?? Number.MAX_SAFE_INTEGER,
    ...(limits.stallMs !== undefined ? { stallMs: limits.stallMs } : {}),
    workerUrl,
    size: threads,
  })
  try {
    await pool.ready()
  } catch (err) {
    await pool.close()
    throw err
  }
  return {
    process(reader, dataset, key) {
      const engine = { key, limits, decoder, ...(codec?.[dataset.name] ? { codec: codec[dataset.name] } : {}) }
      return gatherOutputs((sinks) => pool.run(reader, dataset.name, sinks, engine))
    },
    job: (reader, job, output) => pool.runJob(reader, job, output),
    close: (reason) => pool.close(reason),
  }
}
