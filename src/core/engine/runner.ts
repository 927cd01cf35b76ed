/**
 * How a long-running worker runs the engine: in worker threads, where the file time limit can stop
 * even a decoder caught in a loop, for every dataset that can cross to a thread.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { ConfigError } from '../../errors.js'
import type { Dataset } from '../dataset.js'
import { type EngineOptions, gatherOutputs, type ProcessedFile, processReader } from '../engine.js'
import type { RangeReader } from '../formats/parquet.js'
import type { EngineLimits } from './limits.js'
import { defaultWorkerUrl, EnginePool } from './pool.js'

export interface FileEngine {
  /** processes one source, output and quarantine gathered in memory; throws like `processSource` */
  process(reader: RangeReader, dataset: Dataset, key: string): Promise<ProcessedFile>
  close(): Promise<void>
}

export interface FileEngineOptions {
  limits: EngineLimits
  decoder?: EngineOptions['decoder']
  /** the datasets the worker module knows by name (src/schemas/datasets) */
  builtIn: readonly Dataset[]
}

/**
 * A FileEngine with one worker thread. Built-in datasets run there, under the pool's hard time limit.
 * Any other dataset (defined in code the worker cannot load, such as a test's) runs on this thread,
 * where the limit is checked between batches. Throws ConfigError when the compiled worker is missing.
 */
export function openFileEngine(options: FileEngineOptions): FileEngine {
  const workerUrl = defaultWorkerUrl()
  if (options.builtIn.length > 0 && !existsSync(fileURLToPath(workerUrl))) {
    throw new ConfigError(`the engine worker ${fileURLToPath(workerUrl)} is missing: run \`npm run build\``)
  }
  const { limits, decoder, builtIn } = options
  const pool = new EnginePool({ timeoutMs: limits.fileTimeoutMs ?? Number.MAX_SAFE_INTEGER, workerUrl })
  return {
    process(reader, dataset, key) {
      const engineOptions: EngineOptions = { key, limits, decoder }
      if (!builtIn.includes(dataset)) return processReader(reader, dataset, engineOptions)
      return gatherOutputs((sinks) => pool.run(reader, dataset.name, sinks, engineOptions))
    },
    close: () => pool.close(),
  }
}
