import { performance } from 'node:perf_hooks'
import { sourceColumnsOf } from '../core/checks/drift.js'
import type { DatasetInfo } from '../core/dataset.js'
import type { FileEngine } from '../core/engine/runner.js'
import { objectStoreReader } from '../core/engine/sources.js'
import { type KeyMatch, matchDatasets, resolutionReason } from '../core/keys.js'
import {
  type DeadLetter,
  decodeMessage,
  encodeMessage,
  type FileResult,
  type ObjectMessage,
  validators,
} from '../core/messages.js'
import { eventDateOf, outputKey, quarantineKey } from '../core/output-path.js'
import { type RetryPolicy, withRetry } from '../core/retry.js'
import { errorMessage, FerryError } from '../errors.js'
import type { LedgerTracker } from '../ledger/tracker.js'
import { publishDeadLetter, publishFile } from '../ops/events.js'
import type { Logger } from '../ops/logger.js'
import type { ConsumedRecord, EventLog, ObjectStore } from '../ports.js'

/** What processing one object takes: stores, datasets and the engine, no Kafka (`ferry test` uses it alone). */
export interface FileDeps {
  source: ObjectStore
  output: { store: ObjectStore; bucket: string; prefix: string; quarantinePrefix: string }
  datasets: readonly DatasetInfo[]
  /** runs the engine on one file, within the configured limits */
  engine: FileEngine
  retry: RetryPolicy
  logger: Logger
  /** where this worker runs, for the URIs it reports (`gs://bucket/key` or a local path) */
  uri: (store: ObjectStore, bucket: string, key: string) => string
  signal?: AbortSignal
  now?: () => Date
  /** datasets already warned about for sharing a key (see keys.ts), so that each pair is logged once */
  ambiguity?: Set<string>
}

export interface WorkDeps extends FileDeps {
  log: EventLog
  topics: { results: string; dlq: string }
  /** per-file state; also what lets a duplicate notification of a written version be skipped */
  ledger?: LedgerTracker
}

/** One object's result, and for a dead-lettered one the error that the dead letter carries. */
export interface ObjectOutcome {
  result: FileResult
  failure?: unknown
}

/**
 * The ferry-work record handler: process one object, publish its result (and a dead letter when it
 * could not be processed), then let the runner commit. Only a failure to publish, or a dependency that
 * stays down through the file's retries, escapes, which stops the consumer uncommitted; a bad file
 * never blocks its partition.
 */
export function createWorkHandler(deps: WorkDeps): (record: ConsumedRecord) => Promise<void> {
  const ambiguity = new Set<string>()
  return async (record) => {
    const logger = deps.logger.child({ topic: record.topic, partition: record.partition, offset: record.offset })
    let message: ObjectMessage
    try {
      message = decodeMessage(validators.object, record.value)
    } catch (err) {
      logger.error({ err }, 'unreadable ferry.objects message dead-lettered')
      await deps.log.produce(deps.topics.dlq, [
        {
          key: null,
          value: encodeMessage(validators.deadLetter, {
            ...deadLetterBody(deps, 'unknown', 'unreadable ferry.objects message', err),
            body: record.value.toString('utf8').slice(0, 64 * 1024),
          }),
        },
      ])
      publishDeadLetter({ stage: 'work', code: 'FERRY_VALIDATION' })
      return
    }
    const at = { topic: record.topic, partition: record.partition, offset: record.offset }
    // A duplicate of a version already written is not processed again: its recorded result is
    // published once more (header skipped=duplicate) so every notified file still gets a verdict.
    const repeated = await deps.ledger?.begin(message, at)
    const outcome = repeated ? undefined : await processObject({ ambiguity, ...deps }, message, logger)
    if (outcome && 'failure' in outcome) await deadLetter(deps, message, outcome)
    const result = repeated ?? outcome!.result
    // Recorded before the result is published, so whoever reads the result finds the ledger this far.
    if (!repeated) await deps.ledger?.finish(message, at, result)
    await deps.log.produce(deps.topics.results, [
      {
        key: `${message.bucket}/${message.key}`,
        value: encodeMessage(validators.fileResult, result),
        headers: {
          run_id: result.runId,
          trace_id: result.traceId,
          ...deps.ledger?.resultHeaders(message),
          ...(repeated ? { skipped: 'duplicate' } : {}),
        },
      },
    ])
    if (!repeated) publishFile(result)
  }
}

/** A key several datasets take is processed as the winner's; the first such key of each set is logged. */
function warnAmbiguous(deps: FileDeps, logger: Logger, matches: readonly KeyMatch<DatasetInfo>[]): void {
  const names = matches.map((m) => m.dataset.name)
  const id = names.join(',')
  if (deps.ambiguity?.has(id)) return
  deps.ambiguity?.add(id)
  logger.warn(
    { datasets: names, reason: resolutionReason(matches) },
    'key matches several datasets; processed as %s (see ferry datasets --match)',
    names[0],
  )
}

/** The dead letter of an object the worker could not process, on ferry.dlq with the reason. */
async function deadLetter(deps: WorkDeps, message: ObjectMessage, { result, failure }: ObjectOutcome): Promise<void> {
  await deps.log.produce(deps.topics.dlq, [
    {
      key: `${message.bucket}/${message.key}`,
      value: encodeMessage(validators.deadLetter, {
        ...deadLetterBody(deps, message.runId, 'file could not be processed', failure),
        object: message,
        attempts: result.attempts,
      }),
      headers: { run_id: message.runId, trace_id: message.traceId },
    },
  ])
  publishDeadLetter({ stage: 'work', code: result.error?.code ?? 'FERRY_INTERNAL' })
}

/**
 * Processes one object with bounded retries. A data problem becomes a dead-lettered result (with the
 * error, for the caller's dead letter); only a retryable infrastructure error that outlived the
 * retries is thrown.
 */
export async function processObject(deps: FileDeps, message: ObjectMessage, parent: Logger): Promise<ObjectOutcome> {
  const now = deps.now ?? (() => new Date())
  const started = performance.now()
  const logger = parent.child({
    run_id: message.runId,
    trace_id: message.traceId,
    bucket: message.bucket,
    key: message.key,
  })
  const matches = matchDatasets(deps.datasets, message.key)
  const dataset = matches[0]?.dataset
  if (matches.length > 1) warnAmbiguous(deps, logger, matches)
  const eventDate = eventDateOf(message.eventTime)
  const base = {
    schema: 'ferry.file-result/v1' as const,
    runId: message.runId,
    traceId: message.traceId,
    dataset: dataset?.name ?? null,
    source: {
      bucket: message.bucket,
      key: message.key,
      uri: deps.uri(deps.source, message.bucket, message.key),
      size: message.size,
      ...(message.eTag ? { eTag: message.eTag } : {}),
      ...(message.versionId ? { versionId: message.versionId } : {}),
    },
    eventDate,
  }
  let attempts = 0
  try {
    if (!dataset) {
      attempts = 1
      throw new FerryError('FERRY_NO_DATASET', `no dataset matches key ${JSON.stringify(message.key)}`)
    }
    const { value } = await withRetry(
      deps.retry,
      async (attempt) => {
        attempts = attempt
        return runOnce(deps, message, dataset, eventDate)
      },
      {
        signal: deps.signal,
        onRetry: (err, attempt, delayMs) => logger.warn({ err, attempt, delayMs }, 'file attempt failed; retrying'),
      },
    )
    const total = performance.now() - started
    const result: FileResult = {
      ...base,
      ...value,
      durationsMs: { ...value.durationsMs, total: round(total) },
      attempts,
      processedAt: now().toISOString(),
    }
    logger.info(
      { dataset: dataset.name, status: result.status, rowsIn: result.rowsIn, rowsRejected: result.rowsRejected },
      'file processed',
    )
    return { result }
  } catch (err) {
    // A dependency still failing after the retries (S3 or GCS down) says nothing about the file: let it
    // escape, so the consumer stops uncommitted and the next run processes the file once it is back.
    if (err instanceof FerryError && err.retryable) throw err
    const code = err instanceof FerryError ? err.code : 'FERRY_INTERNAL'
    logger.error({ err, attempts, code }, 'file dead-lettered')
    const result: FileResult = {
      ...base,
      status: 'dead-lettered',
      rowsIn: 0,
      rowsOut: 0,
      rowsRejected: 0,
      bytesIn: 0,
      bytesOut: 0,
      durationsMs: { total: round(performance.now() - started) },
      output: null,
      quarantine: null,
      firstErrors: [],
      error: { code, message: errorMessage(err), retryable: err instanceof FerryError && err.retryable },
      attempts: Math.max(attempts, 1),
      processedAt: now().toISOString(),
    }
    return { result, failure: err }
  }
}

type AttemptResult = Pick<
  FileResult,
  'status' | 'rowsIn' | 'rowsOut' | 'rowsRejected' | 'bytesIn' | 'bytesOut' | 'output' | 'quarantine' | 'firstErrors'
> & { durationsMs: Record<string, number>; error: null } & Pick<FileResult, 'sourceColumns'>

async function runOnce(deps: FileDeps, message: ObjectMessage, dataset: DatasetInfo, eventDate: string) {
  const t0 = performance.now()
  // The source is read by range (Parquet footer first, then a row group at a time; text a few MiB at
  // a time): `download` is the HEAD that sizes it and reading counts under `read`. The output is
  // gathered in memory as encoded Parquet (far smaller than its rows) only because ObjectStore.put
  // takes bytes; a streaming upload can take the engine's sink instead (processSource).
  const info = await deps.source.head(message.bucket, message.key)
  if (!info) {
    throw new FerryError('FERRY_SOURCE_READ', `source object ${message.bucket}/${message.key} does not exist`, {
      context: { bucket: message.bucket, key: message.key },
    })
  }
  const download = performance.now() - t0
  const reader = objectStoreReader(deps.source, message.bucket, message.key, info.size)
  const processed = await deps.engine.process(reader, dataset, message.key)
  const { store, bucket, prefix, quarantinePrefix } = deps.output
  const identity = { bucket: message.bucket, key: message.key }
  const metadata = {
    ferry_run_id: message.runId,
    ferry_trace_id: message.traceId,
    ferry_source: `${message.bucket}/${message.key}`,
    ...(message.eTag ? { ferry_source_etag: message.eTag } : {}),
  }
  const t1 = performance.now()
  const outKey = outputKey(prefix, dataset.name, eventDate, identity)
  await store.put(bucket, outKey, processed.output, { contentType: 'application/vnd.apache.parquet', metadata })
  const qKey = quarantineKey(quarantinePrefix, dataset.name, eventDate, identity)
  if (processed.quarantine) {
    await store.put(bucket, qKey, processed.quarantine, { contentType: 'application/x-ndjson', metadata })
  } else {
    // A reprocessed file that is clean now must not leave the old rejected rows behind.
    await store.delete(bucket, qKey)
  }
  const upload = performance.now() - t1
  const result: AttemptResult = {
    status: processed.rowsOut === 0 && processed.rowsRejected > 0 ? 'quarantined' : 'written',
    rowsIn: processed.rowsIn,
    rowsOut: processed.rowsOut,
    rowsRejected: processed.rowsRejected,
    bytesIn: processed.bytesIn,
    bytesOut: processed.bytesOut,
    output: deps.uri(store, bucket, outKey),
    quarantine: processed.quarantine ? deps.uri(store, bucket, qKey) : null,
    firstErrors: processed.firstErrors.slice(0, 10),
    // reported so the quality consumer can check schema drift without reading the source again
    sourceColumns: sourceColumnsOf(processed.source.columns),
    durationsMs: {
      download: round(download),
      ...Object.fromEntries(Object.entries(processed.durationsMs).map(([k, v]) => [k, round(v)])),
      upload: round(upload),
    },
    error: null,
  }
  return result
}

function deadLetterBody(deps: FileDeps, runId: string, reason: string, err: unknown): DeadLetter {
  return {
    schema: 'ferry.dlq/v1',
    stage: 'work',
    runId,
    reason: `${reason}: ${errorMessage(err)}`,
    error: { code: err instanceof FerryError ? err.code : 'FERRY_INTERNAL', message: errorMessage(err) },
    deadLetteredAt: (deps.now ?? (() => new Date()))().toISOString(),
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10
}
