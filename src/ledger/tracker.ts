import { decodeMessage, type FileResult, type LedgerEntry, type ObjectMessage, validators } from '../core/messages.js'
import type { Logger } from '../ops/logger.js'
import type { LedgerStore } from './store.js'
import {
  isDuplicate,
  ledgerKey,
  type ObjectVersion,
  processed,
  processing,
  qualified,
  queued,
  type RecordPosition,
  received,
  repeatedResult,
  skipped,
} from './transitions.js'

/** Result-record header carrying the worker's ledger entry to the quality consumer. */
const LEDGER_HEADER = 'ferry_ledger'

/**
 * One process's window on the ledger, used by drain, work and quality. The whole ledger is read once,
 * on first use, then kept current with what this process writes. Each record written is the full
 * entry (a compacted topic keeps only the latest), built from the previous entry.
 *
 * Writers in other processes make a view stale. Three rules keep that harmless:
 * - ferry.objects is keyed `bucket/key`, so every message about one object lands on one partition,
 *   owned by one worker at a time: the worker that wrote an object's entry is normally the one that
 *   sees its duplicates, with a current view. After a rebalance the new owner's view may be older;
 *   it then processes a duplicate again or repeats an older recorded result of the same eTag. Both
 *   are benign: the output path depends only on the source identity and the same eTag is the same
 *   bytes, so a second processing rewrites identical objects.
 * - The worker records the outcome before it publishes the result, and hands its entry to the
 *   quality consumer in the result's headers: the verdict is merged onto the worker's entry, never
 *   onto an older one from the quality consumer's own view.
 * - A worker decides from its own view, which only it updates for its partitions; other writers
 *   matter only to workers that start later. The one left: a drain running beside workers builds
 *   on the ledger as it was when the drain started, so when the same content is notified twice
 *   during one drain and processed in between, its record can carry an older offset position.
 *   Then the next duplicate may be processed again (benign, above) and, after an offset reset, a
 *   re-delivered record inside that gap may get its recorded result repeated instead of being
 *   recomputed. `ferry nightly` (drain, then work) never has the gap; replay --object and backfill
 *   are never skipped.
 */
export class LedgerTracker {
  private readonly store: LedgerStore
  private readonly logger: Logger
  private readonly now: () => Date
  private view: Promise<Map<string, LedgerEntry>> | undefined
  private loaded: Map<string, LedgerEntry> | undefined
  private writing: Promise<unknown> = Promise.resolve()

  constructor(store: LedgerStore, logger: Logger, now: () => Date = () => new Date()) {
    this.store = store
    this.logger = logger
    this.now = now
  }

  /** The latest entry of one object version, as this process sees it. */
  async lookup(version: ObjectVersion): Promise<LedgerEntry | undefined> {
    return (await this.entries()).get(ledgerKey(version))
  }

  /** The drain parsed these notifications and is about to produce them. */
  received(messages: ObjectMessage[]): Promise<void> {
    return this.record(messages.map((m) => [ledgerKey(m), (prev) => received(prev, m, this.now())]))
  }

  /** ferry.objects acknowledged these messages. */
  queued(messages: ObjectMessage[]): Promise<void> {
    return this.record(messages.map((m) => [ledgerKey(m), (prev) => queued(prev, m, this.now())]))
  }

  /**
   * Called by a worker before processing a delivery. Returns the recorded result to publish again
   * when the delivery is a duplicate of a version already written (see isDuplicate); otherwise
   * records `processing` and returns undefined.
   */
  async begin(message: ObjectMessage, at: RecordPosition): Promise<FileResult | undefined> {
    const key = ledgerKey(message)
    const prev = (await this.entries()).get(key)
    if (prev && isDuplicate(prev, message, at)) {
      const repeat = repeatedResult(prev, message, this.now())
      if (repeat) {
        await this.record([[key, () => skipped(prev, message, at, this.now())]])
        this.logger.info(
          {
            run_id: message.runId,
            bucket: message.bucket,
            key: message.key,
            eTag: message.eTag,
            writtenBy: prev.runId,
          },
          'duplicate delivery skipped: this version is already processed',
        )
        return repeat
      }
    }
    await this.record([[key, (p) => processing(p, message, at, this.now())]])
    return undefined
  }

  /** The worker's result for a delivery is on ferry.results. */
  finish(message: ObjectMessage, at: RecordPosition, result: FileResult): Promise<void> {
    return this.record([[ledgerKey(message), (prev) => processed(prev, message, at, result, this.now())]])
  }

  /**
   * Headers for the result of a delivery this process just recorded: its ledger entry, without
   * the result itself (which is the record's value).
   */
  resultHeaders(version: ObjectVersion): Record<string, string> {
    const entry = this.loaded?.get(ledgerKey(version))
    if (!entry) return {}
    const { result: _inTheValue, ...state } = entry
    return { [LEDGER_HEADER]: JSON.stringify(state) }
  }

  /** The quality consumer published its verdict on a result (with the headers the worker set). */
  qualified(result: FileResult, verdict: 'pass' | 'fail', headers: Record<string, string> = {}): Promise<void> {
    const handed = handedOver(headers[LEDGER_HEADER])
    return this.record([
      [ledgerKey(result.source), (prev) => qualified(latest(handed, prev), result, verdict, this.now())],
    ])
  }

  /**
   * Applies each step to the key's latest entry (earlier steps of the same batch included) and
   * writes the batch; the view changes only once the store has it, so it never runs ahead of Kafka.
   * Writes run one at a time: drain, work and quality may share a tracker in one process, and each
   * step must build on the previous one.
   */
  private record(steps: Array<[string, (prev: LedgerEntry | undefined) => LedgerEntry]>): Promise<void> {
    const run = this.writing.then(() => this.apply(steps))
    this.writing = run.catch(() => undefined)
    return run
  }

  private async apply(steps: Array<[string, (prev: LedgerEntry | undefined) => LedgerEntry]>): Promise<void> {
    if (steps.length === 0) return
    const view = await this.entries()
    const batch = new Map<string, LedgerEntry>()
    for (const [key, next] of steps) batch.set(key, next(batch.get(key) ?? view.get(key)))
    await this.store.write([...batch.values()])
    for (const [key, entry] of batch) view.set(key, entry)
  }

  private entries(): Promise<Map<string, LedgerEntry>> {
    this.view ??= this.store.load().then(
      (entries) => {
        this.loaded = entries
        return entries
      },
      (err: unknown) => {
        this.view = undefined
        throw err
      },
    )
    return this.view
  }
}

/** The entry a worker put in a result's headers; a missing or unreadable one is simply not used. */
function handedOver(header: string | undefined): LedgerEntry | undefined {
  if (header === undefined) return undefined
  try {
    return decodeMessage(validators.ledger, header)
  } catch {
    return undefined
  }
}

function latest(a: LedgerEntry | undefined, b: LedgerEntry | undefined): LedgerEntry | undefined {
  if (!a || !b) return a ?? b
  return a.updatedAt >= b.updatedAt ? a : b
}
