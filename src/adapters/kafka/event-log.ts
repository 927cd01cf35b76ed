import { type Admin, Kafka, type KafkaConfig, logLevel, Partitioners, type Producer } from 'kafkajs'
import { FerryError, InterruptedError } from '../../errors.js'
import type { Logger } from '../../ops/logger.js'
import type { ConsumedRecord, ConsumeOptions, EventLog, LogRecord, TopicSpec } from '../../ports.js'
import './kafkajs-timers.js'
import { kafkajsLogCreator } from './log-levels.js'

export interface KafkaEventLogOptions {
  brokers: string[]
  clientId: string
  logger: Logger
  /** how often the idle check asks the cluster for the group's lag */
  idlePollMs?: number
}

/** EventLog on kafkajs: the same code talks to a real cluster and to the embedded broker. */
export class KafkaEventLog implements EventLog {
  private readonly kafka: Kafka
  private readonly logger: Logger
  private readonly idlePollMs: number
  private producer: Producer | undefined
  private admin: Admin | undefined

  constructor(options: KafkaEventLogOptions) {
    this.logger = options.logger
    this.idlePollMs = options.idlePollMs ?? 250
    const config: KafkaConfig = {
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: logLevel.WARN,
      logCreator: kafkajsLogCreator(this.logger),
      retry: { initialRetryTime: 200, retries: 8 },
    }
    this.kafka = new Kafka(config)
  }

  async ensureTopics(topics: TopicSpec[]): Promise<void> {
    const admin = await this.getAdmin()
    const existing = new Set(await admin.listTopics())
    const missing = topics.filter((t) => !existing.has(t.name))
    if (missing.length === 0) return
    await admin.createTopics({
      waitForLeaders: true,
      topics: missing.map((t) => ({ topic: t.name, numPartitions: t.partitions, replicationFactor: -1 })),
    })
  }

  async produce(topic: string, records: LogRecord[]): Promise<void> {
    if (records.length === 0) return
    const producer = await this.getProducer()
    try {
      await producer.send({
        topic,
        acks: -1,
        messages: records.map((r) => ({ key: r.key, value: r.value, headers: r.headers })),
      })
    } catch (err) {
      throw new FerryError('FERRY_KAFKA', `produce to ${topic} failed`, {
        cause: err,
        retryable: true,
        context: { topic },
      })
    }
  }

  async consume(options: ConsumeOptions): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: 30_000,
      heartbeatInterval: 3000,
      // disconnect() waits for the open long-poll; a short one keeps shutdown and --until-idle prompt.
      maxWaitTimeInMs: 500,
    })
    const log = this.logger.child({ group: options.groupId, topic: options.topic })
    let failure: unknown
    let inFlight = 0
    let lastActivity = Date.now()
    let stop!: () => void
    const stopped = new Promise<void>((resolve) => {
      stop = resolve
    })
    const onAbort = () => stop()
    options.signal?.addEventListener('abort', onAbort, { once: true })
    // kafkajs restarts a crashed consumer by itself when it can; when it won't, stop and fail loudly
    // instead of waiting forever for a consumer that is gone.
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (payload.restart) return
      failure ??= new FerryError('FERRY_KAFKA', `consumer of ${options.topic} crashed`, {
        cause: payload.error,
        retryable: true,
        context: { group: options.groupId, topic: options.topic },
      })
      stop()
    })
    const { onJoined } = options
    // a (re)join is how a group shares partitions: worth a line, and what shows a rebalance happened
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      const partitions = payload.memberAssignment[options.topic] ?? []
      log.info({ partitions, leader: payload.isLeader }, 'joined the consumer group')
      onJoined?.()
    })
    try {
      await consumer.connect()
      await consumer.subscribe({ topic: options.topic, fromBeginning: true })
      await consumer.run({
        autoCommit: false,
        eachMessage: async ({ topic, partition, message }) => {
          if (failure !== undefined || options.signal?.aborted) return
          inFlight++
          lastActivity = Date.now()
          try {
            const record: ConsumedRecord = {
              topic,
              partition,
              offset: message.offset,
              key: message.key ? message.key.toString('utf8') : null,
              value: message.value ?? Buffer.alloc(0),
              headers: decodeHeaders(message.headers),
              timestamp: message.timestamp,
            }
            await options.handler(record)
            const next = (BigInt(message.offset) + 1n).toString()
            await consumer.commitOffsets([{ topic, partition, offset: next }]).catch((err: unknown) => {
              // e.g. the group moved on while the handler ran (broker restart, session timeout): the
              // record was handled but will be delivered again; an infrastructure error, not a bug.
              throw new FerryError('FERRY_KAFKA', `commit of ${topic}/${partition} offset ${next} failed`, {
                cause: err,
                retryable: true,
                context: { topic, partition, offset: next, group: options.groupId },
              })
            })
          } catch (err) {
            // Do not commit: the record is consumed again by whoever owns the partition next.
            if (err instanceof InterruptedError && options.signal?.aborted) {
              // a shutdown that stopped the record in hand: expected, and nothing is lost
              log.warn({ partition, offset: message.offset }, 'interrupted; the record will be consumed again')
            } else {
              failure = err
              log.error({ err, partition, offset: message.offset }, 'record handler failed; stopping consumer')
            }
            stop()
          } finally {
            inFlight--
            lastActivity = Date.now()
          }
        },
      })
      if (options.untilIdle) {
        const idleMs = options.untilIdle.idleMs
        const idle = this.waitForIdle(
          options.groupId,
          options.topic,
          idleMs,
          () => inFlight,
          () => lastActivity,
          stopped,
        )
        await Promise.race([idle, stopped])
      } else {
        await stopped
      }
    } finally {
      options.signal?.removeEventListener('abort', onAbort)
      // Let the record in hand finish and commit before leaving the group: nothing is half-processed.
      while (inFlight > 0) await new Promise((r) => setTimeout(r, 20))
      await consumer.disconnect()
    }
    if (failure !== undefined) throw failure
  }

  /** Resolves when the group's committed offsets reach the end of every partition and nothing moved for idleMs. */
  private async waitForIdle(
    groupId: string,
    topic: string,
    idleMs: number,
    inFlight: () => number,
    lastActivity: () => number,
    stopped: Promise<void>,
  ): Promise<void> {
    let done = false
    void stopped.then(() => {
      done = true
    })
    while (!done) {
      await new Promise((r) => setTimeout(r, this.idlePollMs))
      if (inFlight() > 0 || Date.now() - lastActivity() < idleMs) continue
      if ((await this.lag(groupId, topic)) === 0n) return
    }
  }

  /** Total lag of a group on a topic. */
  async lag(groupId: string, topic: string): Promise<bigint> {
    return (await this.lagByPartition(groupId, topic)).reduce((sum, p) => sum + p.lag, 0n)
  }

  /** Per partition: high watermark minus the committed offset (or the log start when none). */
  async lagByPartition(groupId: string, topic: string): Promise<Array<{ partition: number; lag: bigint }>> {
    const admin = await this.getAdmin()
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ])
    const done = new Map(committed[0]?.partitions.map((p) => [p.partition, BigInt(p.offset)]) ?? [])
    return ends.map((p) => {
      const position = done.get(p.partition) ?? -1n
      const behind = BigInt(p.high) - (position < 0n ? BigInt(p.low) : position)
      return { partition: p.partition, lag: behind > 0n ? behind : 0n }
    })
  }

  async close(): Promise<void> {
    await Promise.all([this.producer?.disconnect(), this.admin?.disconnect()])
    this.producer = undefined
    this.admin = undefined
  }

  private async getProducer(): Promise<Producer> {
    if (!this.producer) {
      // Idempotent: a retried send after a lost ack cannot write the record twice.
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        createPartitioner: Partitioners.DefaultPartitioner,
      })
      await producer.connect()
      this.producer = producer
    }
    return this.producer
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

/**
 * kafkajs warns that bounded retries weaken the idempotent producer's exactly-once guarantee. Ferry
 * bounds them on purpose: an unreachable cluster must fail the run loudly rather than hang it, and
 * the drain deletes nothing from SQS until a send succeeded, so the worst case is a duplicate record
 * that deterministic outputs absorb.
 */
function decodeHeaders(headers: Record<string, Buffer | string | (Buffer | string)[] | undefined> | undefined) {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue
    const first = Array.isArray(value) ? value[0] : value
    if (first !== undefined) out[name] = first.toString()
  }
  return out
}
