import type { Dataset } from '../core/dataset.js'
import { decodeMessage, encodeMessage, type FileResult, type QualityEvent, validators } from '../core/messages.js'
import { checkFile, DEFAULT_THRESHOLDS, qualityAttributes, qualityEvent } from '../core/quality.js'
import { publishQuality } from '../ops/events.js'
import type { Logger } from '../ops/logger.js'
import type { ConsumedRecord, EventBus } from '../ports.js'

export interface QualityDeps {
  bus: EventBus
  topic: string
  datasets: Dataset[]
  logger: Logger
  /** sees every evaluated file, e.g. for the nightly summary */
  onEvaluated?: (result: FileResult, event: QualityEvent) => void
  now?: () => Date
}

/**
 * The ferry-quality record handler: run the file checks on a ferry.results record and publish one
 * quality event to the bus. A publish failure escapes, so the offset is not committed and the event
 * is published on the next attempt instead of being lost.
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
    const checks = checkFile(result, dataset?.quality ?? DEFAULT_THRESHOLDS)
    const event = qualityEvent(result, checks, now())
    await deps.bus.publish(deps.topic, encodeMessage(validators.qualityEvent, event), qualityAttributes(event))
    publishQuality(event)
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
    deps.onEvaluated?.(result, event)
  }
}
