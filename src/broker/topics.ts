import type { Logger } from '../ops/logger.js'
import { PartitionLog } from './log.js'
import type { DataDir } from './storage.js'

export interface Topic {
  name: string
  partitions: PartitionLog[]
}

const LEGAL_NAME = /^[a-zA-Z0-9._-]+$/
const MAX_NAME_LENGTH = 249

/** Kafka's topic-name rule; the name also becomes a directory name, which it keeps safe. */
export function topicNameProblem(name: string): string | null {
  if (name === '' || name === '.' || name === '..') return `topic name "${name}" is not allowed`
  if (name.length > MAX_NAME_LENGTH) return `topic name is longer than ${MAX_NAME_LENGTH} characters`
  if (!LEGAL_NAME.test(name)) return `topic name "${name}" has characters other than [a-zA-Z0-9._-]`
  return null
}

/** The broker's topics, each a set of partition logs, persisted through the data dir when there is one. */
export class TopicRegistry {
  private readonly topics = new Map<string, Topic>()
  private readonly dataDir: DataDir | null
  private readonly logger: Logger

  constructor(dataDir: DataDir | null, logger: Logger) {
    this.dataDir = dataDir
    this.logger = logger
    for (const stored of dataDir?.topics() ?? []) this.open(stored.name, stored.partitions)
    if (this.topics.size > 0) logger.info({ topics: this.topics.size }, 'recovered topics')
  }

  get(name: string): Topic | undefined {
    return this.topics.get(name)
  }

  partition(name: string, index: number): PartitionLog | undefined {
    return this.topics.get(name)?.partitions[index]
  }

  all(): Topic[] {
    return [...this.topics.values()]
  }

  create(name: string, partitions: number): Topic {
    this.dataDir?.createTopic(name, partitions)
    const topic = this.open(name, partitions)
    this.logger.info({ topic: name, partitions }, 'created topic')
    return topic
  }

  private open(name: string, partitions: number): Topic {
    const logs = Array.from(
      { length: partitions },
      (_, index) =>
        new PartitionLog(
          this.dataDir?.openPartition(name, index) ?? null,
          this.logger.child({ topic: name, partition: index }),
        ),
    )
    const topic = { name, partitions: logs }
    this.topics.set(name, topic)
    return topic
  }

  delete(name: string): boolean {
    const topic = this.topics.get(name)
    if (!topic) return false
    this.topics.delete(name)
    for (const log of topic.partitions) log.close()
    this.dataDir?.deleteTopic(name)
    this.logger.info({ topic: name }, 'deleted topic')
    return true
  }

  /** Highest producer id in any log, so ids handed out after a restart never collide with stored batches. */
  maxProducerId(): number {
    let max = -1
    for (const topic of this.topics.values()) {
      for (const log of topic.partitions) max = Math.max(max, log.producers.maxProducerId())
    }
    return max
  }

  close(): void {
    for (const topic of this.topics.values()) for (const log of topic.partitions) log.close()
  }
}
