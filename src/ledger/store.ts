import { decodeMessage, encodeMessage, type LedgerEntry, validators } from '../core/messages.js'
import type { Logger } from '../ops/logger.js'
import type { ConsumedRecord, EventLog } from '../ports.js'
import { ledgerKey } from './transitions.js'

/** Where ledger entries live: the latest one per key is the state of that object version. */
export interface LedgerStore {
  /** Every key's latest entry, as of the moment of the call. */
  load(): Promise<Map<string, LedgerEntry>>
  /** Resolves once the entries are durably stored. */
  write(entries: LedgerEntry[]): Promise<void>
}

/** What the Kafka ledger needs beyond the EventLog port (kafkajs has no assign-style read). */
export interface LedgerTopicAdmin {
  /** creates the topic compacted, or makes an existing one compacted where the cluster allows */
  ensureCompactedTopic(topic: string, partitions: number): Promise<void>
  /** calls `onRecord` for every record from the log start to the end offsets taken when it starts */
  readTopic(topic: string, onRecord: (record: ConsumedRecord) => void): Promise<void>
}

/**
 * The ledger on a compacted Kafka topic keyed `bucket/key/eTag`. Every record is a full entry, so a
 * reader keeps the latest record per key: exactly what compaction leaves behind, and equally right
 * on a broker that never compacts (the embedded one). All records of one key share a partition, so
 * "latest" is the partition order: the order the writers produced them in.
 */
export class KafkaLedgerStore implements LedgerStore {
  private readonly log: EventLog
  private readonly admin: LedgerTopicAdmin
  private readonly topic: string
  private readonly partitions: number
  private readonly logger: Logger
  private ensured: Promise<void> | undefined

  constructor(options: { log: EventLog; admin: LedgerTopicAdmin; topic: string; partitions: number; logger: Logger }) {
    this.log = options.log
    this.admin = options.admin
    this.topic = options.topic
    this.partitions = options.partitions
    this.logger = options.logger
  }

  async load(): Promise<Map<string, LedgerEntry>> {
    await this.ensureTopic()
    const latest = new Map<string, LedgerEntry>()
    let unreadable = 0
    await this.admin.readTopic(this.topic, (record) => {
      try {
        const entry = decodeMessage(validators.ledger, record.value)
        latest.set(record.key ?? ledgerKey(entry), entry)
      } catch (err) {
        // One bad record must not hide the rest of the ledger; the next write of its key replaces it.
        if (unreadable++ === 0)
          this.logger.warn(
            { err, partition: record.partition, offset: record.offset },
            'unreadable ledger record skipped',
          )
      }
    })
    this.logger.debug({ topic: this.topic, entries: latest.size, unreadable }, 'ledger loaded')
    return latest
  }

  async write(entries: LedgerEntry[]): Promise<void> {
    if (entries.length === 0) return
    await this.ensureTopic()
    await this.log.produce(
      this.topic,
      entries.map((entry) => ({
        key: ledgerKey(entry),
        value: encodeMessage(validators.ledger, entry),
        headers: { run_id: entry.runId },
      })),
    )
  }

  /** Once per process: the first use makes sure the topic is compacted before anything relies on it. */
  private ensureTopic(): Promise<void> {
    this.ensured ??= this.admin.ensureCompactedTopic(this.topic, this.partitions).catch((err: unknown) => {
      this.ensured = undefined
      throw err
    })
    return this.ensured
  }
}
