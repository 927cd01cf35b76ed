import {
  type DeadLetter,
  decodeMessage,
  type FileResult,
  type LedgerEntry,
  type ObjectMessage,
  validators,
} from '../../../src/core/messages.js'
import { outputKey, quarantineKey } from '../../../src/core/output-path.js'
import type { ChaosKafka } from './kafka.js'
import type { ChaosFile } from './night.js'
import { type ChaosWorld, outputDigests } from './world.js'

/**
 * What a result says happened to a file, without what legitimately differs between deliveries and
 * runs: run and trace ids, timings, attempts, processing time, and the world-specific URIs (only
 * whether there is an output / a quarantine file).
 */
export function outcomeOf(result: FileResult): string {
  return JSON.stringify({
    status: result.status,
    dataset: result.dataset,
    eventDate: result.eventDate,
    rowsIn: result.rowsIn,
    rowsOut: result.rowsOut,
    rowsRejected: result.rowsRejected,
    bytesIn: result.bytesIn,
    bytesOut: result.bytesOut,
    output: result.output !== null,
    quarantine: result.quarantine !== null,
    firstErrors: result.firstErrors,
    error: result.error && { code: result.error.code, retryable: result.error.retryable },
    sourceColumns: result.sourceColumns ?? null,
  })
}

export interface Observed {
  /** ferry.objects keys (`bucket/key`), one per record */
  objects: string[]
  /** ferry.results by source key, in log order; `duplicate` when the worker skipped a settled version */
  results: Map<string, Array<{ result: FileResult; duplicate: boolean }>>
  /** ferry.dlq object keys (null for dead letters without an object) */
  deadLetters: Array<string | null>
  /** latest ledger entry per ledger key */
  ledger: Map<string, LedgerEntry>
  /** output bucket content by canonical name: `output:<source key>` / `quarantine:<source key>` */
  outputs: Map<string, string>
}

/** Reads everything a world's night left behind. */
export async function observe(world: ChaosWorld, kafka: ChaosKafka, files: readonly ChaosFile[]): Promise<Observed> {
  const [objectRecords, resultRecords, dlqRecords, ledgerRecords, digests] = await Promise.all([
    kafka.readAll(world.topics.objects),
    kafka.readAll(world.topics.results),
    kafka.readAll(world.topics.dlq),
    kafka.readAll(world.ledgerTopic),
    outputDigests(world),
  ])
  const objects = objectRecords.map((r) => {
    const message = decodeMessage<ObjectMessage>(validators.object, r.value)
    return `${message.bucket}/${message.key}`
  })
  const results = new Map<string, Array<{ result: FileResult; duplicate: boolean }>>()
  for (const record of resultRecords) {
    const result = decodeMessage<FileResult>(validators.fileResult, record.value)
    const list = results.get(result.source.key) ?? []
    list.push({ result, duplicate: record.headers.skipped === 'duplicate' })
    results.set(result.source.key, list)
  }
  const deadLetters = dlqRecords.map(
    (r) => decodeMessage<DeadLetter>(validators.deadLetter, r.value).object?.key ?? null,
  )
  const ledger = new Map<string, LedgerEntry>()
  for (const record of ledgerRecords) {
    const entry = decodeMessage<LedgerEntry>(validators.ledger, record.value)
    ledger.set(record.key ?? `${entry.bucket}/${entry.key}/${entry.eTag ?? '-'}`, entry)
  }
  // Output names hash the source bucket, which differs per world: name them by source key instead.
  const canonical = new Map<string, string>()
  for (const file of files) {
    for (const { result } of results.get(file.key) ?? []) {
      const source = { bucket: world.landing, key: file.key }
      canonical.set(outputKey('', 'orders', result.eventDate, source), `output:${file.key}`)
      canonical.set(quarantineKey('quarantine', 'orders', result.eventDate, source), `quarantine:${file.key}`)
    }
  }
  const outputs = new Map<string, string>()
  for (const [key, md5] of digests) outputs.set(canonical.get(key) ?? `unexpected:${key}`, md5)
  return { objects, results, deadLetters, ledger, outputs }
}

/** The canonical output names a night must produce: one Parquet per readable file, quarantine where rows were rejected. */
export function expectedOutputNames(files: readonly ChaosFile[]): string[] {
  return files
    .flatMap((f) => [
      ...(f.kind === 'corrupt' ? [] : [`output:${f.key}`]),
      ...(f.invalidRows > 0 ? [`quarantine:${f.key}`] : []),
    ])
    .sort()
}
