import { randomBytes } from 'node:crypto'
import { encodeMessage, type ObjectMessage, validators } from '../../core/messages.js'
import type { LedgerTracker } from '../../ledger/tracker.js'
import type { EventLog, ObjectInfo } from '../../ports.js'

const BATCH = 100

/**
 * ferry.objects messages for objects Ferry enqueues itself (`replay --object`, `backfill`), all under
 * one run id. They are marked `replay` so workers process them even when the version was already
 * written. The event time is the one the ledger recorded for the version when there is one, so the
 * output lands on the same date path (reprocessing overwrites rather than adds); else the upload time.
 */
export async function directMessages(
  objects: readonly ObjectInfo[],
  runId: string,
  ledger: LedgerTracker,
  now: Date,
): Promise<ObjectMessage[]> {
  const messages: ObjectMessage[] = []
  for (const info of objects) {
    const version = {
      bucket: info.bucket,
      key: info.key,
      ...(info.etag ? { eTag: info.etag } : {}),
      ...(info.versionId ? { versionId: info.versionId } : {}),
    }
    const recorded = (await ledger.lookup(version))?.eventTime
    messages.push({
      schema: 'ferry.object/v1',
      runId,
      traceId: randomBytes(16).toString('hex'),
      ...version,
      size: info.size,
      eventTime: recorded ?? (info.lastModified ?? now).toISOString(),
      eventName: runId.startsWith('backfill-') ? 'ObjectCreated:Backfill' : 'ObjectCreated:Replay',
      enqueuedAt: now.toISOString(),
      replay: true,
    })
  }
  return messages
}

/** Produces the messages in batches, recording each batch as queued once Kafka acknowledged it. */
export async function enqueueObjects(
  log: EventLog,
  topic: string,
  ledger: LedgerTracker,
  messages: readonly ObjectMessage[],
  onBatch?: (done: number) => void,
): Promise<void> {
  for (let start = 0; start < messages.length; start += BATCH) {
    const batch = messages.slice(start, start + BATCH)
    await log.produce(
      topic,
      batch.map((m) => ({
        key: `${m.bucket}/${m.key}`,
        value: encodeMessage(validators.object, m),
        headers: { run_id: m.runId, trace_id: m.traceId },
      })),
    )
    await ledger.queued(batch)
    onBatch?.(start + batch.length)
  }
}
