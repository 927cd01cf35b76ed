import { Socket } from 'node:net'
import { type Admin, type Consumer, Kafka, logLevel } from 'kafkajs'
import { pino } from 'pino'
import { KafkaAdmin } from '../../../src/adapters/kafka/admin.js'
import type { ConsumedRecord } from '../../../src/ports.js'

const silent = pino({ enabled: false })

/** Test-side Kafka access for the crash test: whole-topic reads, group lag, fencing dead members. */
export class ChaosKafka {
  private readonly broker: string
  private readonly kafka: Kafka
  private readonly reader: KafkaAdmin
  private admin: Admin | undefined

  constructor(broker: string) {
    this.broker = broker
    this.kafka = new Kafka({ clientId: 'ferry-chaos', brokers: [broker], logLevel: logLevel.NOTHING })
    this.reader = new KafkaAdmin({ brokers: [broker], clientId: 'ferry-chaos', logger: silent })
  }

  /** Every record of the topic, from the log start to the end offsets taken when the read starts. */
  async readAll(topic: string): Promise<ConsumedRecord[]> {
    const out: ConsumedRecord[] = []
    await this.reader.readTopic(topic, (record) => out.push(record))
    return out
  }

  async endOffsets(topic: string): Promise<Map<number, bigint>> {
    const admin = await this.getAdmin()
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]))
  }

  /** Records of the group still to consume on the topic (end minus committed, log start when none). */
  async lag(groupId: string, topic: string): Promise<bigint> {
    const admin = await this.getAdmin()
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId, topics: [topic] }),
    ])
    const done = new Map(committed[0]?.partitions.map((p) => [p.partition, BigInt(p.offset)]) ?? [])
    return ends.reduce((sum, p) => {
      const at = done.get(p.partition) ?? -1n
      const behind = BigInt(p.high) - (at < 0n ? BigInt(p.low) : at)
      return sum + (behind > 0n ? behind : 0n)
    }, 0n)
  }

  /**
   * Removes every member from the group with LeaveGroup, as an operator fences workers known to be
   * dead. Called only when no process of the group is alive: a SIGKILLed consumer never leaves, and
   * the next one would otherwise wait for the dead member's 30 s session timeout before it gets any
   * partition. Returns how many members were removed.
   */
  async fenceGroup(groupId: string): Promise<number> {
    const admin = await this.getAdmin()
    const { groups } = await admin.describeGroups([groupId])
    const members = groups[0]?.members.map((m) => m.memberId) ?? []
    for (const memberId of members) await leaveGroup(this.broker, groupId, memberId)
    return members.length
  }

  /** A consumer that follows the topic from its start and collects record keys, for checks mid-run. */
  async tail(topic: string, groupId: string): Promise<TopicTail> {
    const consumer = this.kafka.consumer({ groupId, maxWaitTimeInMs: 100 })
    const tail = new TopicTail(this, topic, consumer)
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ partition, message }) => tail.add(partition, message.offset, message.key),
    })
    return tail
  }

  async close(): Promise<void> {
    await this.admin?.disconnect()
    await this.reader.close()
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

/** Keys seen on a topic so far, and a way to wait until the tail has caught up with the log end. */
export class TopicTail {
  readonly keys = new Set<string>()
  private readonly next = new Map<number, bigint>()
  private readonly kafka: ChaosKafka
  private readonly topic: string
  private readonly consumer: Consumer

  constructor(kafka: ChaosKafka, topic: string, consumer: Consumer) {
    this.kafka = kafka
    this.topic = topic
    this.consumer = consumer
  }

  add(partition: number, offset: string, key: Buffer | null): void {
    if (key) this.keys.add(key.toString('utf8'))
    this.next.set(partition, BigInt(offset) + 1n)
  }

  /** Resolves once every record that existed when called has been seen (bounded by timeoutMs). */
  async caughtUp(timeoutMs = 15_000): Promise<void> {
    const ends = await this.kafka.endOffsets(this.topic)
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const behind = [...ends].filter(([partition, end]) => end > 0n && (this.next.get(partition) ?? 0n) < end)
      if (behind.length === 0) return
      if (Date.now() > deadline) throw new Error(`tail of ${this.topic} did not catch up in ${timeoutMs} ms`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }

  stop(): Promise<void> {
    return this.consumer.disconnect()
  }
}

/** LeaveGroup v0 on a raw connection (kafkajs has no admin call that removes a dynamic member). */
function leaveGroup(broker: string, groupId: string, memberId: string): Promise<number> {
  const [host, port] = broker.split(':') as [string, string]
  const str = (s: string) => {
    const bytes = Buffer.from(s, 'utf8')
    const len = Buffer.alloc(2)
    len.writeInt16BE(bytes.byteLength)
    return Buffer.concat([len, bytes])
  }
  const header = Buffer.alloc(8)
  header.writeInt16BE(13, 0) // api key LeaveGroup
  header.writeInt16BE(0, 2) // version 0
  header.writeInt32BE(1, 4) // correlation id
  const body = Buffer.concat([header, str('ferry-chaos'), str(groupId), str(memberId)])
  const size = Buffer.alloc(4)
  size.writeInt32BE(body.byteLength)
  return new Promise((resolve, reject) => {
    const socket = new Socket()
    let received = Buffer.alloc(0)
    socket.setTimeout(10_000, () => socket.destroy(new Error('LeaveGroup timed out')))
    socket.on('error', reject)
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk])
      if (received.byteLength < 4 || received.byteLength < 4 + received.readInt32BE(0)) return
      socket.end()
      // size, correlation id, error code
      resolve(received.readInt16BE(8))
    })
    socket.connect(Number(port), host, () => socket.write(Buffer.concat([size, body])))
  })
}
