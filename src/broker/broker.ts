import { randomUUID } from 'node:crypto'
import type { Logger } from '../ops/logger.js'
import { OffsetStore } from './group-offsets.js'
import { GroupCoordinator } from './groups.js'
import { ErrorCode } from './protocol/error-codes.js'
import { DataDir } from './storage.js'
import { type Topic, TopicRegistry, topicNameProblem } from './topics.js'

/** Each partition is an open file: a bound that keeps one typo from exhausting file descriptors. */
const MAX_PARTITIONS = 1000

export interface CoreOptions {
  nodeId: number
  autoCreateTopics: boolean
  defaultPartitions: number
  dataDir: string | undefined
  logger: Logger
}

export interface TopicError {
  errorCode: number
  message: string
}

/**
 * The broker's state behind the network: topics, group coordinator, committed offsets and
 * producer ids. Handlers talk to this; the server owns sockets only.
 */
export class BrokerCore {
  readonly nodeId: number
  /** Kafka cluster ids are 22-character base64 UUIDs; a fresh one per start is fine for one node. */
  readonly clusterId = Buffer.from(randomUUID().replaceAll('-', ''), 'hex').toString('base64url')
  readonly topics: TopicRegistry
  readonly offsets: OffsetStore
  readonly groups: GroupCoordinator
  readonly logger: Logger
  /** Where clients reach this broker; set once the server listens. */
  host = ''
  port = -1
  private readonly autoCreateTopics: boolean
  private readonly defaultPartitions: number
  private readonly dataDir: DataDir | null
  private nextProducerId: number

  constructor(options: CoreOptions) {
    this.nodeId = options.nodeId
    this.logger = options.logger
    this.autoCreateTopics = options.autoCreateTopics
    this.defaultPartitions = options.defaultPartitions
    this.dataDir = options.dataDir === undefined ? null : new DataDir(options.dataDir, options.logger)
    let topics: TopicRegistry | undefined
    try {
      topics = new TopicRegistry(this.dataDir, options.logger)
      this.offsets = new OffsetStore(this.dataDir, options.logger)
    } catch (err) {
      topics?.close()
      this.dataDir?.unlock()
      throw err
    }
    this.topics = topics
    this.groups = new GroupCoordinator({ offsets: this.offsets, logger: options.logger.child({ subsystem: 'groups' }) })
    this.nextProducerId = this.topics.maxProducerId() + 1
  }

  /** The topic, auto-created when allowed and enabled, or why there is none. */
  topicFor(name: string, allowAutoCreate: boolean): Topic | TopicError {
    const topic = this.topics.get(name)
    if (topic) return topic
    if (!allowAutoCreate || !this.autoCreateTopics) {
      return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: `unknown topic ${name}` }
    }
    return this.createTopic(name, this.defaultPartitions)
  }

  /** Why a topic with this name and partition count (-1 = default) cannot be created, or null. */
  topicProblem(name: string, partitions: number): TopicError | null {
    const problem = topicNameProblem(name)
    if (problem) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, message: problem }
    if (this.topics.get(name)) return { errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, message: `topic ${name} exists` }
    if (partitions !== -1 && (partitions < 1 || partitions > MAX_PARTITIONS)) {
      return { errorCode: ErrorCode.INVALID_PARTITIONS, message: `invalid partition count ${partitions}` }
    }
    return null
  }

  createTopic(name: string, partitions: number): Topic | TopicError {
    return (
      this.topicProblem(name, partitions) ??
      this.topics.create(name, partitions === -1 ? this.defaultPartitions : partitions)
    )
  }

  deleteTopic(name: string): number {
    if (!this.topics.delete(name)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION
    this.offsets.deleteTopic(name)
    return ErrorCode.NONE
  }

  allocateProducerId(): number {
    return this.nextProducerId++
  }

  close(): void {
    this.groups.close()
    this.topics.close()
    this.offsets.close()
    this.dataDir?.unlock()
  }
}

export function isTopicError(value: Topic | TopicError): value is TopicError {
  return 'errorCode' in value
}
