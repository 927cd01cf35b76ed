import type { FileResult, LedgerEntry, LedgerState, ObjectMessage } from '../core/messages.js'
import { eventDateOf } from '../core/output-path.js'

/** Where a ferry.objects record sits: what tells a redelivery from a new message. */
export interface RecordPosition {
  topic: string
  partition: number
  offset: string
}

/** The object version a ledger entry describes. */
export interface ObjectVersion {
  bucket: string
  key: string
  eTag?: string
  versionId?: string
}

/**
 * The ledger key `bucket/key/eTag`. Content identity is the eTag; a versionId stands in when there is
 * none (`v:` keeps the two apart), and `-` when the notification carried neither. The bucket has no
 * `/` and an eTag never has one, so the key splits back unambiguously at its first and last `/`.
 */
export function ledgerKey(v: ObjectVersion): string {
  const version = v.eTag ?? (v.versionId === undefined ? '-' : `v:${v.versionId}`)
  return `${v.bucket}/${v.key}/${version}`
}

/** Outcomes a duplicate notification can safely repeat: the same bytes always give the same result. */
const SETTLED = new Set<string>(['written', 'quarantined'])

/**
 * Whether a delivery repeats work already done for this exact version, so the worker can skip it.
 * Never for a replay or backfill (they exist to reprocess), never without an eTag (content sameness
 * cannot be shown), never after a dead letter (a retry may succeed now), and never for a record at
 * or before the furthest one seen on its partition: that is the same message again (an offset reset
 * by `ferry replay`, or a redelivery after a crash before the commit), which must be processed.
 */
export function isDuplicate(entry: LedgerEntry | undefined, message: ObjectMessage, at: RecordPosition): boolean {
  if (!entry?.result || message.replay || message.eTag === undefined) return false
  if (!SETTLED.has(entry.result.status)) return false
  const seen = entry.position
  if (seen && seen.topic === at.topic && seen.partition === at.partition && BigInt(at.offset) <= BigInt(seen.offset)) {
    return false
  }
  return true
}

/** The S3 notification was parsed (drain), before the object message is produced. */
export function received(prev: LedgerEntry | undefined, message: ObjectMessage, now: Date): LedgerEntry {
  return step(prev, message, 'received', now, { timestamps: { received: now.toISOString() } })
}

/** An object message was acknowledged on ferry.objects (drain, replay, backfill). */
export function queued(prev: LedgerEntry | undefined, message: ObjectMessage, now: Date): LedgerEntry {
  return step(prev, message, 'queued', now, {
    enqueued: (prev?.enqueued ?? 0) + 1,
    timestamps: { queued: now.toISOString() },
  })
}

/** A worker started on a delivery. A previous verdict no longer describes what is about to be written. */
export function processing(
  prev: LedgerEntry | undefined,
  message: ObjectMessage,
  at: RecordPosition,
  now: Date,
): LedgerEntry {
  const entry = step(prev, message, 'processing', now, {
    position: furthest(prev?.position, at),
    timestamps: { processing: now.toISOString() },
  })
  delete entry.quality
  delete entry.timestamps.qualified
  return entry
}

/** The worker finished (written, quarantined or dead-lettered) and its result is on ferry.results. */
export function processed(
  prev: LedgerEntry | undefined,
  message: ObjectMessage,
  at: RecordPosition,
  result: FileResult,
  now: Date,
): LedgerEntry {
  return step(prev, message, result.status, now, {
    dataset: result.dataset,
    attempts: (prev?.attempts ?? 0) + result.attempts,
    lastError: result.error ? { code: result.error.code, message: result.error.message } : null,
    position: furthest(prev?.position, at),
    result,
    timestamps: { processed: now.toISOString() },
  })
}

/** A duplicate delivery was skipped: the entry goes back to its outcome, one more skip counted. */
export function skipped(prev: LedgerEntry, message: ObjectMessage, at: RecordPosition, now: Date): LedgerEntry {
  return step(prev, message, prev.result?.status ?? prev.state, now, {
    skipped: prev.skipped + 1,
    position: furthest(prev.position, at),
    timestamps: { skipped: now.toISOString() },
  })
}

/**
 * The quality consumer published its verdict. The result it judged is authoritative for the outcome
 * fields, so an entry is complete even when this process never saw the worker's records.
 */
export function qualified(
  prev: LedgerEntry | undefined,
  result: FileResult,
  verdict: 'pass' | 'fail',
  now: Date,
): LedgerEntry {
  const base = prev ?? {
    ...identity(result.source),
    size: result.source.size,
    dataset: result.dataset,
    eventDate: result.eventDate,
    attempts: result.attempts,
    enqueued: 0,
    skipped: 0,
    lastError: result.error ? { code: result.error.code, message: result.error.message } : null,
  }
  return {
    ...base,
    schema: 'ferry.ledger/v1',
    state: 'qualified',
    runId: result.runId,
    dataset: result.dataset,
    quality: verdict,
    result,
    timestamps: { ...prev?.timestamps, qualified: now.toISOString() },
    updatedAt: now.toISOString(),
  }
}

/** A skipped duplicate gets the recorded result again, under the run and trace of the new delivery. */
export function repeatedResult(entry: LedgerEntry, message: ObjectMessage, now: Date): FileResult | undefined {
  if (!entry.result) return undefined
  return {
    ...entry.result,
    runId: message.runId,
    traceId: message.traceId,
    durationsMs: { total: 0 },
    processedAt: now.toISOString(),
  }
}

type Changes = Partial<Omit<LedgerEntry, 'timestamps'>> & { timestamps: LedgerEntry['timestamps'] }

function step(
  prev: LedgerEntry | undefined,
  message: ObjectMessage,
  state: LedgerState,
  now: Date,
  changes: Changes,
): LedgerEntry {
  const { timestamps, ...rest } = changes
  // The replay flag describes one delivery, so it never carries over to the next.
  const before: Partial<LedgerEntry> = { ...prev }
  delete before.replay
  return {
    attempts: 0,
    enqueued: 0,
    skipped: 0,
    lastError: null,
    ...before,
    ...identity(message),
    ...(message.replay ? { replay: true } : {}),
    schema: 'ferry.ledger/v1',
    size: message.size,
    dataset: prev?.dataset ?? null,
    eventTime: message.eventTime,
    eventDate: eventDateOf(message.eventTime),
    state,
    runId: message.runId,
    ...rest,
    timestamps: { ...prev?.timestamps, ...timestamps },
    updatedAt: now.toISOString(),
  }
}

function identity(v: ObjectVersion): ObjectVersion {
  return {
    bucket: v.bucket,
    key: v.key,
    ...(v.eTag === undefined ? {} : { eTag: v.eTag }),
    ...(v.versionId === undefined ? {} : { versionId: v.versionId }),
  }
}

/** Offsets only compare within one partition of one topic; elsewhere the newer record wins. */
function furthest(seen: RecordPosition | undefined, at: RecordPosition): RecordPosition {
  const position = { topic: at.topic, partition: at.partition, offset: at.offset }
  if (!seen || seen.topic !== at.topic || seen.partition !== at.partition) return position
  return BigInt(seen.offset) >= BigInt(at.offset) ? seen : position
}
