/**
 * The debug kit's decodes as jobs for the engine's worker threads (core/engine/protocol.ts): `inspect`,
 * `validate` and `cat` read files that are often damaged, which is why someone looks at them, so
 * they run where `work` runs files, under the same limits, and a stuck decoder or Ctrl-C stops the
 * thread instead of hanging the command. Each function here runs in the worker; the `*Job` builders
 * run on the main thread.
 */

import { compiledUrl } from '../../core/engine/pool.js'
import type { JobContext } from '../../core/engine/protocol.js'
import type { ModuleJob } from '../../core/engine/runner.js'
import { type CatOptions, type CatSummary, catRows } from './cat.js'
import { type Inspection, inspectObject } from './inspect.js'
import { counting, type ObjectSource } from './source.js'
import { type ValidationSummary, validateObject } from './validate.js'

/** What a job needs to know of the object besides its bytes. */
export interface SourceMeta {
  url: string
  bucket: string
  key: string
  size: number
  lastModified?: string
}

const MODULE = compiledUrl(new URL(import.meta.url)).href

export function sourceMeta(source: ObjectSource): SourceMeta {
  const { url, bucket, key, size, lastModified } = source
  return { url, bucket, key, size, ...(lastModified ? { lastModified: lastModified.toISOString() } : {}) }
}

/** The object again, on the worker's side of the thread boundary, reading through the main thread. */
function sourceOf(context: JobContext, meta: SourceMeta): ObjectSource {
  const lastModified = meta.lastModified ? new Date(meta.lastModified) : undefined
  return counting(meta.url, meta, meta.size, lastModified, ({ start, end }) => context.reader.read(start, end))
}

function datasetOf(context: JobContext, name: string) {
  const dataset = context.datasets.get(name)
  if (!dataset) throw new Error(`dataset ${name} is not loaded in the worker`)
  return dataset
}

export async function inspectInWorker(context: JobContext, meta: SourceMeta): Promise<Inspection> {
  return inspectObject(sourceOf(context, meta))
}

export function inspectJob(source: ObjectSource): ModuleJob {
  return { kind: 'module', module: MODULE, name: 'inspectInWorker', input: sourceMeta(source) }
}

interface ValidateInput {
  meta: SourceMeta
  dataset: string
  maxErrors: number
}

export async function validateInWorker(context: JobContext, input: ValidateInput): Promise<ValidationSummary> {
  const dataset = datasetOf(context, input.dataset)
  return validateObject(sourceOf(context, input.meta), dataset, input.maxErrors, context.progress)
}

export function validateJob(source: ObjectSource, dataset: string, maxErrors: number): ModuleJob {
  const input: ValidateInput = { meta: sourceMeta(source), dataset, maxErrors }
  return { kind: 'module', module: MODULE, name: 'validateInWorker', input }
}

interface CatInput extends CatOptions {
  meta: SourceMeta
  /** types CSV columns by this dataset's schema, as the worker would */
  dataset?: string
}

export async function catInWorker(context: JobContext, input: CatInput): Promise<CatSummary> {
  const dataset = input.dataset === undefined ? undefined : datasetOf(context, input.dataset)
  return catRows(context.reader, context.output, { ...input, key: input.meta.key }, dataset, context.progress)
}

export function catJob(source: ObjectSource, options: CatOptions, dataset?: string): ModuleJob {
  const input: CatInput = { meta: sourceMeta(source), ...options, ...(dataset ? { dataset } : {}) }
  return { kind: 'module', module: MODULE, name: 'catInWorker', input }
}
