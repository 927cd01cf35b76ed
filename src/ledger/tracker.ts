import type { FileResult, LedgerEntry, ObjectMessage } from '../core/messages.js'
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

/**
 * One process's window on the ledger, used by drain, work and quality. The whole ledger is read once,
 * on first use, then kept current with what this process writes. Each record written is the full
 * entry (a compacted topic keeps only the latest), built from the view's previous entry.
 *
 * With several workers each holds its own view. ferry.objects is keyed `bucket/key`, so every message
 * about one object lands on one partition, owned by one worker at a time: the worker that wrote an
 * object's entry is the one that sees its duplicates, with a current view. After a rebalance the new
 * owner's view can be older than the ledger; it may then process a duplicate again or repeat an older
 * recorded result. Both are benign: the output path depends only on the source identity and the same
 * eTag means the same bytes, so a second processing rewrites identical objects.
 */
export class LedgerTracker {
  private readonly store: LedgerStore
  private readonly logger: Logger
  private readonly now: () => Date
  private view: Promise<Map<string, LedgerEntry>> | undefined

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

  /** The quality consumer published its verdict on a result. */
  qualified(result: FileResult, verdict: 'pass' | 'fail'): Promise<void> {
    return this.record([[ledgerKey(result.source), (prev) => qualified(prev, result, verdict, this.now())]])
  }

  /**
   * Applies each step to the key's latest entry (earlier steps of the same batch included) and
   * writes the batch; the view changes only once the store has it, so it never runs ahead of Kafka.
   */
  private async record(steps: Array<[string, (prev: LedgerEntry | undefined) => LedgerEntry]>): Promise<void> {
    if (steps.length === 0) return
    const view = await this.entries()
    const batch = new Map<string, LedgerEntry>()
    for (const [key, next] of steps) batch.set(key, next(batch.get(key) ?? view.get(key)))
    await this.store.write([...batch.values()])
    for (const [key, entry] of batch) view.set(key, entry)
  }

  private entries(): Promise<Map<string, LedgerEntry>> {
    this.view ??= this.store.load().catch((err: unknown) => {
      this.view = undefined
      throw err
    })
    return this.view
  }
}
