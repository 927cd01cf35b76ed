import type { Logger } from '../ops/logger.js'
import type { DataDir, EntryFile } from './storage.js'

export interface CommittedOffset {
  offset: number
  metadata: string | null
}

type JournalRecord =
  | { type: 'commit'; group: string; topic: string; partition: number; offset: number; metadata: string | null }
  | { type: 'deleteGroup'; group: string }
  | { type: 'deleteTopic'; topic: string }

/** Compact the journal at start-up once it holds this many more records than live offsets. */
const COMPACTION_SLACK = 1000

/**
 * Committed offsets per group -> topic -> partition. They outlive group membership (a group with
 * no members keeps its offsets) and, with a data dir, broker restarts: every change is journalled
 * before it is applied, and the journal is replayed and compacted at start-up.
 */
export class OffsetStore {
  private readonly groups = new Map<string, Map<string, Map<number, CommittedOffset>>>()
  private journal: EntryFile | null = null

  constructor(dataDir: DataDir | null, logger: Logger) {
    if (!dataDir) return
    const journal = dataDir.openOffsetsJournal()
    let records = 0
    journal.recover(logger, (payload) => {
      const record = parseRecord(payload)
      if (record) {
        this.apply(record)
        records++
      }
      return record !== null
    })
    const live = this.snapshot()
    if (records > live.length + COMPACTION_SLACK) {
      journal.close()
      this.journal = dataDir.rewriteOffsetsJournal(live.map(serialize))
      logger.info({ records, live: live.length }, 'compacted group offsets journal')
    } else {
      this.journal = journal
    }
    if (live.length > 0) logger.info({ groups: this.groups.size, offsets: live.length }, 'recovered committed offsets')
  }

  commit(group: string, topic: string, partition: number, offset: number, metadata: string | null): void {
    this.write({ type: 'commit', group, topic, partition, offset, metadata })
  }

  get(group: string, topic: string, partition: number): CommittedOffset | undefined {
    return this.groups.get(group)?.get(topic)?.get(partition)
  }

  /** Every committed offset of a group, by topic. */
  committed(group: string): Map<string, Map<number, CommittedOffset>> {
    return this.groups.get(group) ?? new Map()
  }

  has(group: string): boolean {
    return this.groups.has(group)
  }

  groupIds(): string[] {
    return [...this.groups.keys()]
  }

  deleteGroup(group: string): void {
    if (this.groups.has(group)) this.write({ type: 'deleteGroup', group })
  }

  deleteTopic(topic: string): void {
    for (const topics of this.groups.values()) {
      if (topics.has(topic)) {
        this.write({ type: 'deleteTopic', topic })
        return
      }
    }
  }

  private write(record: JournalRecord): void {
    this.journal?.append(serialize(record))
    this.apply(record)
  }

  private apply(record: JournalRecord): void {
    switch (record.type) {
      case 'commit': {
        const topics = this.groups.get(record.group) ?? new Map<string, Map<number, CommittedOffset>>()
        this.groups.set(record.group, topics)
        const partitions = topics.get(record.topic) ?? new Map<number, CommittedOffset>()
        topics.set(record.topic, partitions)
        partitions.set(record.partition, { offset: record.offset, metadata: record.metadata })
        return
      }
      case 'deleteGroup':
        this.groups.delete(record.group)
        return
      case 'deleteTopic':
        for (const [group, topics] of this.groups) {
          topics.delete(record.topic)
          if (topics.size === 0) this.groups.delete(group)
        }
    }
  }

  private snapshot(): JournalRecord[] {
    const records: JournalRecord[] = []
    for (const [group, topics] of this.groups) {
      for (const [topic, partitions] of topics) {
        for (const [partition, { offset, metadata }] of partitions) {
          records.push({ type: 'commit', group, topic, partition, offset, metadata })
        }
      }
    }
    return records
  }

  close(): void {
    this.journal?.close()
    this.journal = null
  }
}

function serialize(record: JournalRecord): Buffer {
  return Buffer.from(JSON.stringify(record))
}

function parseRecord(payload: Buffer): JournalRecord | null {
  try {
    const record = JSON.parse(payload.toString('utf8')) as JournalRecord
    return ['commit', 'deleteGroup', 'deleteTopic'].includes(record.type) ? record : null
  } catch {
    return null
  }
}
