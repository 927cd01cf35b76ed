/**
 * `ferry process`: one file through the worker's engine, outside Kafka, to reproduce what the worker
 * did with it. Outputs land under the chosen root with the worker's naming, so paths compare.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { locateObject } from '../../adapters/object-uri.js'
import type { FerryConfig } from '../../config/load.js'
import type { DatasetInfo } from '../../core/dataset.js'
import type { FileEngine } from '../../core/engine/runner.js'
import type { FirstError } from '../../core/engine.js'
import { eventDateOf, outputKey, quarantineKey } from '../../core/output-path.js'
import { UsageError } from '../../errors.js'
import { bytes, int } from '../report/format.js'
import { cloudStore, type ObjectSource } from './source.js'

/** Where `process` writes: a local folder or a cloud prefix. */
export interface OutputTarget {
  /** writes `key` below the target's root and returns where it went */
  put(key: string, body: Uint8Array, contentType: string): Promise<string>
}

export function openOutputTarget(url: string, config: FerryConfig, cwd: string): OutputTarget {
  const location = locateObject(url, config, cwd)
  if (location.kind !== 'cloud') {
    const root = location.path
    return {
      async put(key, body) {
        const path = join(root, key)
        await mkdir(dirname(path), { recursive: true })
        await writeFile(path, body)
        return path
      },
    }
  }
  if (location.scheme === 's3')
    throw new UsageError('--out takes a local folder or gs://bucket/prefix (outputs go to GCS)')
  const { bucket, key: prefix } = location
  const store = cloudStore(location.scheme, config)
  return {
    async put(key, body, contentType) {
      const full = [prefix.replace(/\/+$/, ''), key].filter(Boolean).join('/')
      await store.put(bucket, full, body, { contentType })
      return `gs://${bucket}/${full}`
    },
  }
}

export interface ProcessReport {
  url: string
  dataset: string
  rowsIn: number
  rowsOut: number
  rowsRejected: number
  bytesIn: number
  bytesOut: number
  /** the date the output is filed under: the source's upload date, as the worker's S3 event time gives it */
  eventDate: string
  output: string
  quarantine: string | null
  firstErrors: FirstError[]
  durationsMs: Record<string, number>
}

/**
 * Runs the worker's engine on the object, within the worker's limits, and writes the Parquet output
 * (and the quarantine NDJSON when rows were rejected). Throws like the engine for unreadable input.
 */
export async function processObject(
  source: ObjectSource,
  dataset: DatasetInfo,
  target: OutputTarget,
  quarantinePrefix: string,
  engine: FileEngine,
): Promise<ProcessReport> {
  const processed = await engine.process(source, dataset, source.key)
  const eventDate = eventDateOf((source.lastModified ?? new Date()).toISOString())
  const identity = { bucket: source.bucket, key: source.key }
  const output = await target.put(
    outputKey('', dataset.name, eventDate, identity),
    processed.output,
    'application/vnd.apache.parquet',
  )
  const quarantine = processed.quarantine
    ? await target.put(
        quarantineKey(quarantinePrefix, dataset.name, eventDate, identity),
        processed.quarantine,
        'application/x-ndjson',
      )
    : null
  return {
    url: source.url,
    dataset: dataset.name,
    rowsIn: processed.rowsIn,
    rowsOut: processed.rowsOut,
    rowsRejected: processed.rowsRejected,
    bytesIn: processed.bytesIn,
    bytesOut: processed.bytesOut,
    eventDate,
    output,
    quarantine,
    firstErrors: processed.firstErrors,
    durationsMs: Object.fromEntries(Object.entries(processed.durationsMs).map(([k, v]) => [k, Math.round(v)])),
  }
}

export function formatProcess(report: ProcessReport): string[] {
  const lines = [
    `${report.url} through the worker engine (dataset ${report.dataset})`,
    `rows_in=${report.rowsIn} rows_out=${report.rowsOut} rows_rejected=${report.rowsRejected}`,
    `bytes in ${bytes(report.bytesIn)}, out ${bytes(report.bytesOut)}; event date ${report.eventDate}`,
    `output      ${report.output}`,
    `quarantine  ${report.quarantine ?? '(none: no row rejected)'}`,
    `timings     ${Object.entries(report.durationsMs)
      .map(([k, v]) => `${k} ${int(v)} ms`)
      .join(', ')}`,
  ]
  if (report.firstErrors.length > 0) {
    lines.push('', 'first errors:')
    for (const e of report.firstErrors)
      lines.push(`  row ${int(e.row)}: ${e.instancePath || '(record)'} ${e.message} [${e.keyword}]`)
  }
  return lines
}
