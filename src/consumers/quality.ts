import { needsOutputStats, outputStats } from '../core/checks/column-stats.js'
import type { DatasetInfo } from '../core/dataset.js'
import { decodeMessage, encodeMessage, type FileResult, type QualityEvent, validators } from '../core/messages.js'
import { outputKey } from '../core/output-path.js'
import { evaluateFile, type OutputReading, qualityAttributes, qualityEvent } from '../core/quality.js'
import { errorMessage, isFerryError } from '../errors.js'
import type { LedgerTracker } from '../ledger/tracker.js'
import { publishQuality } from '../ops/events.js'
import { recordEntry } from '../ops/history.js'
import { historyEntry } from '../ops/history-rollup.js'
import type { Logger } from '../ops/logger.js'
import type { ConsumedRecord, EventBus, ObjectStore } from '../ports.js'

export interface QualityDeps {
  bus: EventBus
  topic: string
  datasets: readonly DatasetInfo[]
  /** the output bucket: the column checks read the written files, and the metrics history lives there */
  output: { store: ObjectStore; bucket: string; prefix: string }
  logger: Logger
  /** per-file state: each published verdict moves the file to `qualified` */
  ledger?: LedgerTracker
  /**
   * sees every evaluated file, e.g. for the nightly summary; `skipped` when the worker did not process
   * it again, being a duplicate notification of a version already written (header skipped=duplicate)
   */
  onEvaluated?: (result: FileResult, event: QualityEvent, skipped: boolean) => void
  now?: () => Date
}

/**
 * The ferry-quality record handler: run the file checks on a ferry.results record (reading the
 * written output when the dataset declares column checks), record the file in the metrics history,
 * then publish one quality event to the bus. A failure to read, record or publish that a retry can
 * fix escapes, so the offset is not committed and the file is evaluated again instead of being lost.
 */
export function createQualityHandler(deps: QualityDeps): (record: ConsumedRecord) => Promise<void> {
  const now = deps.now ?? (() => new Date())
  return async (record) => {
    const logger = deps.logger.child({ topic: record.topic, partition: record.partition, offset: record.offset })
    let result: FileResult
    try {
      result = decodeMessage(validators.fileResult, record.value)
    } catch (err) {
      // Results are written by Ferry's own worker; an unreadable one is a bug worth an error, not a stall.
      logger.error({ err }, 'unreadable ferry.results message skipped')
      return
    }
    const dataset = deps.datasets.find((d) => d.name === result.dataset)
    const reading = dataset ? await readOutput(deps, result, dataset) : undefined
    const checks = evaluateFile(result, dataset, reading)
    const event = qualityEvent(result, checks, now())
    if (result.dataset !== null) {
      await recordEntry(deps.output, historyEntry(result, event))
    }
    await deps.bus.publish(deps.topic, encodeMessage(validators.qualityEvent, event), qualityAttributes(event))
    publishQuality(event)
    await deps.ledger?.qualified(result, event.status, record.headers)
    logger.info(
      {
        run_id: event.runId,
        trace_id: event.traceId,
        dataset: event.dataset,
        key: event.source.key,
        status: event.status,
        failed: checks.filter((c) => c.status !== 'pass').map((c) => c.name),
      },
      'quality evaluated',
    )
    deps.onEvaluated?.(result, event, record.headers.skipped === 'duplicate')
  }
}

/**
 * Column statistics of the file the worker wrote, when the dataset's checks need them. A missing or
 * undecodable output is a verdict (the checks fail); a transient store error is thrown to retry.
 */
async function readOutput(
  deps: QualityDeps,
  result: FileResult,
  dataset: DatasetInfo,
): Promise<OutputReading | undefined> {
  if (result.status === 'dead-lettered' || !dataset.checks || !needsOutputStats(dataset.checks)) return undefined
  const { store, bucket, prefix } = deps.output
  const key = outputKey(prefix, dataset.name, result.eventDate, result.source)
  try {
    const info = await store.head(bucket, key)
    if (!info) return { unreadable: `${bucket}/${key} does not exist` }
    // Ranged reads, one row group at a time: the output is never held whole in memory.
    const reader = { size: info.size, read: (start: number, end: number) => store.get(bucket, key, { start, end }) }
    return { stats: await outputStats(reader, dataset.checks, dataset.outputColumns) }
  } catch (err) {
    if (!isFerryError(err) || err.retryable) throw err
    return { unreadable: errorMessage(err) }
  }
}
