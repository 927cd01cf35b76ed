import { spawnSync } from 'node:child_process'
import { appendFileSync, cpSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Kafka } from 'kafkajs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type RunningBroker, startBroker } from '../../../src/broker/index.js'
import { Cleanup, kafkaClient, unique, waitFor } from './support/kafka.js'

let dataDir: string
const cleanup = new Cleanup()

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'ferry-broker-data-'))
})

afterEach(async () => {
  await cleanup.run()
  rmSync(dataDir, { recursive: true, force: true })
})

async function start(): Promise<{ broker: RunningBroker; kafka: Kafka }> {
  const broker = await startBroker({ port: 0, dataDir })
  cleanup.defer(() => broker.close())
  return { broker, kafka: kafkaClient(broker.address, 'persistence') }
}

async function readAll(kafka: Kafka, topic: string, expected: number, groupId = unique('reader')): Promise<string[]> {
  const values: string[] = []
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  await consumer.run({ eachMessage: async ({ message }) => void values.push(String(message.value)) })
  await waitFor(() => (values.length >= expected ? true : undefined))
  await consumer.disconnect()
  return values
}

describe('broker persistence with a data dir', () => {
  it('keeps topics, records and committed offsets across a restart', async () => {
    const topic = unique('durable')
    const groupId = unique('group')
    const first = await start()
    const admin = first.kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })
    const producer = first.kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const values = Array.from({ length: 30 }, (_, i) => `v${i}`)
    await producer.send({ topic, messages: values.map((value, i) => ({ key: `k${i}`, value })) })
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 1, offset: '2' }] })
    await producer.disconnect()
    await admin.disconnect()
    await first.broker.close()

    const second = await start()
    const admin2 = second.kafka.admin()
    await admin2.connect()
    cleanup.defer(() => admin2.disconnect())
    const { topics } = await admin2.fetchTopicMetadata({ topics: [topic] })
    expect(topics[0]!.partitions).toHaveLength(3)
    const high = await admin2.fetchTopicOffsets(topic)
    expect(high.reduce((sum, p) => sum + Number(p.high), 0)).toBe(30)
    const [committed] = await admin2.fetchOffsets({ groupId, topics: [topic] })
    expect(committed!.partitions.find((p) => p.partition === 1)).toEqual({ partition: 1, offset: '2', metadata: null })
    expect((await readAll(second.kafka, topic, 30)).sort()).toEqual([...values].sort())

    // New appends continue the recovered offsets; a new idempotent producer gets a fresh id.
    const producer2 = second.kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer2.connect()
    cleanup.defer(() => producer2.disconnect())
    const [result] = await producer2.send({ topic, messages: [{ key: 'k0', value: 'after-restart' }] })
    const before = high.find((p) => p.partition === result!.partition)!.high
    expect(result!.baseOffset).toBe(before)
  })

  it('truncates a torn tail and still starts', async () => {
    const topic = unique('torn')
    const first = await start()
    const producer = first.kafka.producer()
    await producer.connect()
    await producer.send({ topic, messages: [{ value: 'one' }, { value: 'two' }] })
    await producer.disconnect()
    await first.broker.close()

    const file = join(dataDir, 'topics', topic, '0.log')
    const intact = statSync(file).size
    appendFileSync(file, Buffer.from([0, 0, 1, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]))
    appendFileSync(join(dataDir, 'group-offsets.journal'), Buffer.from([0, 0, 0, 9, 0, 0]))

    const second = await start()
    expect(statSync(file).size).toBe(intact)
    const producer2 = second.kafka.producer()
    await producer2.connect()
    cleanup.defer(() => producer2.disconnect())
    const [result] = await producer2.send({ topic, messages: [{ value: 'three' }] })
    expect(result!.baseOffset).toBe('2')
    expect(await readAll(second.kafka, topic, 3)).toEqual(['one', 'two', 'three'])
  })

  it('forgets deleted topics and their committed offsets', async () => {
    const topic = unique('deleted')
    const groupId = unique('group')
    const first = await start()
    const admin = first.kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic }] })
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '0' }] })
    await admin.deleteTopics({ topics: [topic] })
    await admin.disconnect()
    await first.broker.close()
    expect(readdirSync(join(dataDir, 'topics'))).toEqual([])

    const second = await start()
    const admin2 = second.kafka.admin()
    await admin2.connect()
    cleanup.defer(() => admin2.disconnect())
    expect(await admin2.listTopics()).not.toContain(topic)
    expect((await admin2.describeGroups([groupId])).groups[0]!.state).toBe('Dead')
  })

  it('has every acknowledged write on disk when the ack is sent: what a SIGKILL leaves is complete', async () => {
    const topic = unique('killed')
    const groupId = unique('group')
    const running = await start()
    const producer = running.kafka.producer()
    await producer.connect()
    cleanup.defer(() => producer.disconnect())
    await producer.send({ topic, acks: -1, messages: [{ value: 'acked-1' }, { value: 'acked-2' }] })
    const admin = running.kafka.admin()
    await admin.connect()
    cleanup.defer(() => admin.disconnect())
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '1' }] })

    // Snapshot the files while the broker still runs (nothing flushed by a close), as a crash would
    // leave them, with the lock of a process that is gone.
    const crashed = mkdtempSync(join(tmpdir(), 'ferry-broker-crashed-'))
    cleanup.defer(async () => rmSync(crashed, { recursive: true, force: true }))
    cpSync(dataDir, crashed, { recursive: true })
    const gone = spawnSync('true').pid
    writeFileSync(join(crashed, 'broker.lock'), String(gone))

    const recovered = await startBroker({ port: 0, dataDir: crashed })
    cleanup.defer(() => recovered.close())
    const kafka = kafkaClient(recovered.address, 'after-crash')
    expect(await readAll(kafka, topic, 2)).toEqual(['acked-1', 'acked-2'])
    const admin2 = kafka.admin()
    await admin2.connect()
    cleanup.defer(() => admin2.disconnect())
    const [committed] = await admin2.fetchOffsets({ groupId, topics: [topic] })
    expect(committed!.partitions).toEqual([{ partition: 0, offset: '1', metadata: null }])
  })

  it('refuses a second broker on a data dir that is in use', async () => {
    await start()
    await expect(startBroker({ port: 0, dataDir })).rejects.toThrow(/in use/)
  })
})
