import { randomUUID } from 'node:crypto'
import kafkajs, { type Admin, Kafka, type KafkaMessage, logLevel } from 'kafkajs'
import { FerryError } from '../../errors.js'
import type { Logger } from '../../ops/logger.js'
import type { ConsumedRecord } from '../../ports.js'
import './kafkajs-timers.js'
import { kafkajsLogCreator } from './log-levels.js'

// Node's CommonJS interop does not expose these two as named ESM exports (vitest does, Node does not).
const { ConfigResourceTypes, ConfigSource } = kafkajs

export interface KafkaAdminOptions {
  brokers: string[]
  clientId: string
  logger: Logger
}

export interface PartitionRange {
  partition: number
  /** log start offset */
  low: bigint
  /** high watermark: the offset the next record will get */
  high: bigint
}

export interface GroupState {
  /** Kafka's group state: Empty, Dead, Stable, PreparingRebalance, CompletingRebalance */
  state: string
  members: number
}

/**
 * Kafka operations beyond the EventLog port, for the ledger and `ferry replay`: reading a whole
 * topic once, group offsets and state, topic configs. kafkajs has no assign-style consumer, so a
 * whole-topic read joins a throwaway group and deletes it afterwards.
 */
export class KafkaAdmin {
  private readonly kafka: Kafka
  private readonly logger: Logger
  private admin: Admin | undefined
  private readonly options: KafkaAdminOptions

  constructor(options: KafkaAdminOptions) {
    this.logger = options.logger
    this.options = options
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      logCreator: kafkajsLogCreator(this.logger),
      retry: { initialRetryTime: 200, retries: 8 },
    })
  }

  /**
   * Creates the topic with cleanup.policy=compact; for an existing topic without it, adds it and keeps
   * the topic's other overrides (AlterConfigs replaces the whole set). A broker without topic configs
   * (the embedded one) is left as it is: readers keep the latest record per key either way.
   */
  async ensureCompactedTopic(topic: string, partitions: number): Promise<void> {
    const admin = await this.getAdmin()
    if (!(await admin.listTopics()).includes(topic)) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic,
            numPartitions: partitions,
            replicationFactor: -1,
            configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
          },
        ],
      })
      return
    }
    let entries: Array<{ configName: string; configValue: string | null; configSource: number; isDefault: boolean }>
    try {
      const described = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
      })
      entries = described.resources[0]?.configEntries ?? []
    } catch (err) {
      if ((err as Error).name !== 'KafkaJSServerDoesNotSupportApiKey') throw kafkaError(err, 'describeConfigs', topic)
      this.logger.debug({ topic }, 'broker has no topic configs: the ledger topic is not compacted')
      return
    }
    const policy = entries.find((e) => e.configName === 'cleanup.policy')?.configValue ?? ''
    if (policy.split(',').includes('compact')) return
    const overrides = entries.filter(
      (e) =>
        e.configSource === ConfigSource.TOPIC_CONFIG && e.configName !== 'cleanup.policy' && e.configValue !== null,
    )
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: topic,
          configEntries: [
            ...overrides.map((e) => ({ name: e.configName, value: e.configValue ?? '' })),
            { name: 'cleanup.policy', value: 'compact' },
          ],
        },
      ],
    })
    this.logger.info({ topic }, 'made the topic compacted')
  }

  /** Calls `onRecord` for every record from the log start up to the end offsets taken at the start. */
  async readTopic(topic: string, onRecord: (record: ConsumedRecord) => void): Promise<void> {
    const remaining = new Map<number, bigint>()
    for (const p of await this.topicOffsets(topic)) if (p.high > p.low) remaining.set(p.partition, p.high - 1n)
    if (remaining.size === 0) return
    const groupId = `ferry-read-${randomUUID()}`
    const consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 100 })
    let failure: unknown
    let finish!: () => void
    const finished = new Promise<void>((resolve) => {
      finish = resolve
    })
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      failure ??= payload.error
      finish()
    })
    try {
      await consumer.connect()
      await consumer.subscribe({ topic, fromBeginning: true })
      await consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          const last = remaining.get(batch.partition)
          if (last === undefined || failure !== undefined) return
          for (const message of batch.messages) {
            if (BigInt(message.offset) > last) break
            try {
              onRecord(toRecord(topic, batch.partition, message))
            } catch (err) {
              failure = err
              finish()
              return
            }
          }
          // lastOffset() covers records the client filtered out (control records), so a partition
          // whose final offset is not a data record still completes.
          if (BigInt(batch.lastOffset()) >= last) remaining.delete(batch.partition)
          if (remaining.size === 0) finish()
        },
      })
      await finished
    } finally {
      await consumer.disconnect()
      await this.deleteGroup(groupId)
    }
    if (failure !== undefined) throw kafkaError(failure, 'readTopic', topic)
  }

  async topicOffsets(topic: string): Promise<PartitionRange[]> {
    const admin = await this.getAdmin()
    const offsets = await admin.fetchTopicOffsets(topic).catch((err: unknown) => {
      throw kafkaError(err, 'fetchTopicOffsets', topic)
    })
    return offsets
      .map((p) => ({ partition: p.partition, low: BigInt(p.low), high: BigInt(p.high) }))
      .sort((a, b) => a.partition - b.partition)
  }

  /** The group's committed offset per partition; null where it never committed. */
  async committedOffsets(groupId: string, topic: string): Promise<Map<number, bigint | null>> {
    const admin = await this.getAdmin()
    const [fetched] = await admin.fetchOffsets({ groupId, topics: [topic] })
    return new Map(fetched?.partitions.map((p) => [p.partition, p.offset === '-1' ? null : BigInt(p.offset)]) ?? [])
  }

  /** Per partition, the first offset whose record timestamp is at or after `time` (the end when none is). */
  async offsetsForTime(topic: string, time: Date): Promise<Map<number, bigint>> {
    const admin = await this.getAdmin()
    const offsets = await admin.fetchTopicOffsetsByTimestamp(topic, time.getTime())
    return new Map(offsets.map((p) => [p.partition, BigInt(p.offset)]))
  }

  async describeGroup(groupId: string): Promise<GroupState> {
    const admin = await this.getAdmin()
    const { groups } = await admin.describeGroups([groupId])
    const group = groups[0]
    return { state: group?.state ?? 'Dead', members: group?.members.length ?? 0 }
  }

  /** Commits these offsets for the group; kafkajs refuses unless the group has no running member. */
  async setOffsets(
    groupId: string,
    topic: string,
    offsets: Array<{ partition: number; offset: bigint }>,
  ): Promise<void> {
    const admin = await this.getAdmin()
    await admin.setOffsets({
      groupId,
      topic,
      partitions: offsets.map((o) => ({ partition: o.partition, offset: o.offset.toString() })),
    })
  }

  async close(): Promise<void> {
    await this.admin?.disconnect()
    this.admin = undefined
  }

  /** A throwaway group left behind is harmless (it holds no offsets), so a failed delete only warns. */
  private async deleteGroup(groupId: string): Promise<void> {
    try {
      await (await this.getAdmin()).deleteGroups([groupId])
    } catch (err) {
      this.logger.warn({ err, group: groupId }, 'could not delete a throwaway consumer group')
    }
  }

  /**
   * Whether the cluster answers, within `timeoutMs`: a metadata request, so a broker that accepts the
   * connection but never replies (silent) counts as unreachable too. Throws FerryError FERRY_KAFKA
   * naming the brokers, the setting that chose them and the cause; nothing is produced or committed.
   */
  async probe(timeoutMs: number, setting: string): Promise<void> {
    const { brokers, clientId } = this.options
    // its own client, retrying little: a refused connection is said at once, with its real cause
    const probe = new Kafka({
      clientId,
      brokers,
      logLevel: logLevel.WARN,
      logCreator: kafkajsLogCreator(this.logger),
      connectionTimeout: Math.min(timeoutMs, 5000),
      requestTimeout: timeoutMs,
      retry: { retries: 1, initialRetryTime: 250 },
    }).admin()
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs)
    })
    try {
      await Promise.race([probe.connect().then(() => probe.describeCluster()), late])
    } catch (err) {
      throw new FerryError(
        'FERRY_KAFKA',
        `cannot reach Kafka at ${brokers.join(',')} (${setting}): ${rootCause(err)}`,
        {
          cause: err,
          retryable: true,
          context: { brokers },
        },
      )
    } finally {
      clearTimeout(timer)
      void probe.disconnect().catch(() => {})
    }
  }

  private async getAdmin(): Promise<Admin> {
    if (!this.admin) {
      const admin = this.kafka.admin()
      await admin.connect()
      this.admin = admin
    }
    return this.admin
  }
}

function toRecord(topic: string, partition: number, message: KafkaMessage): ConsumedRecord {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value
    if (first !== undefined) headers[name] = first.toString()
  }
  return {
    topic,
    partition,
    offset: message.offset,
    key: message.key ? message.key.toString('utf8') : null,
    value: message.value ?? Buffer.alloc(0),
    headers,
    timestamp: message.timestamp,
  }
}

function kafkaError(err: unknown, operation: string, topic: string): FerryError {
  if (err instanceof FerryError) return err
  return new FerryError('FERRY_KAFKA', `${operation} on ${topic} failed`, {
    cause: err,
    retryable: true,
    context: { topic, operation },
  })
}

/** The innermost message of a kafkajs error chain: `connect ECONNREFUSED 127.0.0.1:1`, not the wrapper's. */
function rootCause(err: unknown): string {
  let current: unknown = err
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause instanceof Error; depth++) {
    current = current.cause
  }
  return current instanceof Error ? current.message : String(current)
}
