import { randomBytes } from 'node:crypto'
import {
  type DeadLetter,
  encodeMessage,
  type NotificationQualityEvent,
  type ObjectMessage,
  validators,
} from '../core/messages.js'
import { notificationQualityEvent, qualityAttributes } from '../core/quality.js'
import type { LedgerTracker } from '../ledger/tracker.js'
import { publishDeadLetter, publishDrain, publishQuality } from '../ops/events.js'
import type { Logger } from '../ops/logger.js'
import type { EventBus, EventLog, LogRecord, NotificationQueue, QueueMessage } from '../ports.js'
import { dedupeKey, type ObjectEvent, parseNotificationBody } from './s3-notification.js'

export interface DrainOptions {
  runId: string
  topics: { objects: string; dlq: string }
  /** SQS long-poll wait per receive */
  waitSeconds: number
  /** stop after this many consecutive empty receives: "the queue stayed empty" */
  emptyReceives: number
  visibilityTimeoutSeconds: number
  /** records each object as received, then queued once ferry.objects acknowledged it */
  ledger?: LedgerTracker
  /**
   * where to publish one `scope: notification` quality event per dead-lettered message (the bus
   * topic must exist); without it the dead letters and the metrics are the only trace
   */
  quality?: { bus: EventBus; topic: string }
  signal?: AbortSignal
  now?: () => Date
}

export interface DrainSummary {
  messages: number
  objects: number
  duplicates: number
  skipped: number
  deadLettered: number
}

const MAX_DLQ_BODY = 64 * 1024

/**
 * Moves S3 notifications from the queue to Kafka. A queue message is deleted only after Kafka
 * acknowledged (acks=-1) every record derived from it, so a crash at any point loses nothing: the
 * worst case is a redelivery, which duplicate collapsing and deterministic outputs absorb. A
 * message it cannot use goes to ferry.dlq and, with `quality`, becomes a notification quality event
 * on the bus, published before the delete too: a crash publishes it again rather than never.
 */
export async function drain(
  queue: NotificationQueue,
  log: EventLog,
  logger: Logger,
  options: DrainOptions,
): Promise<DrainSummary> {
  const now = options.now ?? (() => new Date())
  const summary: DrainSummary = { messages: 0, objects: 0, duplicates: 0, skipped: 0, deadLettered: 0 }
  const seen = new Set<string>()
  let empty = 0
  while (empty < options.emptyReceives && !options.signal?.aborted) {
    const batch = await queue.receive({
      maxMessages: 10,
      waitSeconds: options.waitSeconds,
      visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    })
    if (batch.length === 0) {
      empty++
      continue
    }
    empty = 0
    const tally: DrainSummary = { messages: batch.length, objects: 0, duplicates: 0, skipped: 0, deadLettered: 0 }
    const messages: ObjectMessage[] = []
    const objects: LogRecord[] = []
    const deadLetters: LogRecord[] = []
    const lost: NotificationQualityEvent[] = []
    for (const message of batch) {
      const parsed = parseNotificationBody(message.body)
      if (parsed.kind === 'skip') {
        tally.skipped++
        logger.info({ messageId: message.id, reason: parsed.reason }, 'notification skipped')
      } else if (parsed.kind === 'invalid') {
        tally.deadLettered++
        logger.warn({ messageId: message.id, reason: parsed.reason }, 'notification dead-lettered')
        deadLetters.push(deadLetterRecord(message, parsed.reason, options.runId, now()))
        if (options.quality) {
          const notification = {
            runId: options.runId,
            messageId: message.id,
            reason: parsed.reason,
            body: message.body,
          }
          lost.push(notificationQualityEvent(notification, now()))
        }
      } else {
        for (const event of parsed.events) {
          const id = dedupeKey(event)
          if (seen.has(id)) {
            tally.duplicates++
            continue
          }
          seen.add(id)
          const object = objectMessage(event, options.runId, now())
          messages.push(object)
          objects.push(objectRecord(object))
        }
      }
    }
    tally.objects = objects.length
    await options.ledger?.received(messages)
    await log.produce(options.topics.objects, objects)
    await options.ledger?.queued(messages)
    await log.produce(options.topics.dlq, deadLetters)
    if (options.quality) await publishLost(options.quality, lost)
    // Only now, with Kafka's (and the bus's) acknowledgement in hand, may the queue forget these messages.
    await queue.delete(batch)
    for (const k of Object.keys(summary) as (keyof DrainSummary)[]) summary[k] += tally[k]
    publishDrain(tally)
    if (tally.deadLettered) publishDeadLetter({ stage: 'drain', code: 'FERRY_NOTIFICATION', count: tally.deadLettered })
    logger.debug(tally, 'batch drained')
  }
  logger.info(summary, 'drain finished')
  return summary
}

/** One event per dead-lettered message, each counted once the bus accepted it. */
async function publishLost(quality: { bus: EventBus; topic: string }, events: NotificationQualityEvent[]) {
  await Promise.all(
    events.map(async (event) => {
      await quality.bus.publish(quality.topic, encodeMessage(validators.qualityEvent, event), qualityAttributes(event))
      publishQuality(event)
    }),
  )
}

function objectMessage(event: ObjectEvent, runId: string, at: Date): ObjectMessage {
  return {
    schema: 'ferry.object/v1',
    runId,
    traceId: randomBytes(16).toString('hex'),
    bucket: event.bucket,
    key: event.key,
    size: event.size,
    ...(event.eTag ? { eTag: event.eTag } : {}),
    ...(event.versionId ? { versionId: event.versionId } : {}),
    ...(event.sequencer ? { sequencer: event.sequencer } : {}),
    eventTime: event.eventTime,
    eventName: event.eventName,
    enqueuedAt: at.toISOString(),
  }
}

function objectRecord(message: ObjectMessage): LogRecord {
  return {
    key: `${message.bucket}/${message.key}`,
    value: encodeMessage(validators.object, message),
    headers: { run_id: message.runId, trace_id: message.traceId },
  }
}

function deadLetterRecord(message: QueueMessage, reason: string, runId: string, at: Date): LogRecord {
  const letter: DeadLetter = {
    schema: 'ferry.dlq/v1',
    stage: 'drain',
    runId,
    reason,
    error: { code: 'FERRY_NOTIFICATION', message: reason },
    body: message.body.length > MAX_DLQ_BODY ? message.body.slice(0, MAX_DLQ_BODY) : message.body,
    deadLetteredAt: at.toISOString(),
  }
  return { key: message.id, value: encodeMessage(validators.deadLetter, letter), headers: { run_id: runId } }
}
