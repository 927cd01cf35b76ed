import { randomBytes } from 'node:crypto'
import { type DeadLetter, encodeMessage, type ObjectMessage, validators } from '../core/messages.js'
import type { LedgerTracker } from '../ledger/tracker.js'
import { publishDeadLetter, publishDrain } from '../ops/events.js'
import type { Logger } from '../ops/logger.js'
import type { EventLog, LogRecord, NotificationQueue, QueueMessage } from '../ports.js'
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
 * worst case is a redelivery, which duplicate collapsing and deterministic outputs absorb.
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
    for (const message of batch) {
      const parsed = parseNotificationBody(message.body)
      if (parsed.kind === 'skip') {
        tally.skipped++
        logger.info({ messageId: message.id, reason: parsed.reason }, 'notification skipped')
      } else if (parsed.kind === 'invalid') {
        tally.deadLettered++
        logger.warn({ messageId: message.id, reason: parsed.reason }, 'notification dead-lettered')
        deadLetters.push(deadLetterRecord(message, parsed.reason, options.runId, now()))
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
    // Only now, with Kafka's acknowledgement in hand, may the queue forget these messages.
    await queue.delete(batch)
    for (const k of Object.keys(summary) as (keyof DrainSummary)[]) summary[k] += tally[k]
    publishDrain(tally)
    if (tally.deadLettered) publishDeadLetter({ stage: 'drain', code: 'FERRY_NOTIFICATION', count: tally.deadLettered })
    logger.debug(tally, 'batch drained')
  }
  logger.info(summary, 'drain finished')
  return summary
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
