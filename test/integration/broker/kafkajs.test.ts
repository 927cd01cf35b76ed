import { AssignerProtocol, CompressionTypes, type Consumer, type EachMessagePayload, type Kafka } from 'kafkajs'
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest'
import { Cleanup, kafkaClient, unique, waitFor } from './support/kafka.js'

const { kafka: address } = inject('endpoints')

let kafka: Kafka
const cleanup = new Cleanup()

beforeEach(() => {
  kafka = kafkaClient(address, 'kafkajs-conformance')
})

afterEach(async () => {
  await cleanup.run()
})

async function connectedAdmin() {
  const admin = kafka.admin()
  await admin.connect()
  cleanup.defer(() => admin.disconnect())
  return admin
}

async function connectedProducer(options: Parameters<Kafka['producer']>[0] = {}) {
  const producer = kafka.producer({ allowAutoTopicCreation: false, ...options })
  await producer.connect()
  cleanup.defer(() => producer.disconnect())
  return producer
}

async function createTopic(partitions = 1): Promise<string> {
  const topic = unique('topic')
  const admin = await connectedAdmin()
  expect(await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] })).toBe(true)
  return topic
}

interface Consumed {
  partition: number
  offset: string
  key: string | null
  value: string
  headers: Record<string, string>
}

/** Starts a consumer that records every message; short waits keep rebalances quick. */
async function startConsumer(groupId: string, topic: string, received: Consumed[], fromBeginning = true) {
  const consumer = kafka.consumer({
    groupId,
    maxWaitTimeInMs: 200,
    heartbeatInterval: 200,
    sessionTimeout: 10_000,
    rebalanceTimeout: 10_000,
  })
  await consumer.connect()
  cleanup.defer(() => consumer.disconnect())
  await consumer.subscribe({ topic, fromBeginning })
  await consumer.run({
    eachMessage: async ({ partition, message }: EachMessagePayload) => {
      received.push({
        partition,
        offset: message.offset,
        key: message.key?.toString() ?? null,
        value: message.value?.toString() ?? '',
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
      })
    },
  })
  return consumer
}

describe('kafkajs 2.2.4 against the embedded broker', () => {
  it('produces and consumes keys, values and headers, plain and gzip, with acks 0, 1 and -1', async () => {
    const topic = await createTopic()
    const producer = await connectedProducer()
    await producer.send({ topic, acks: 0, messages: [{ key: 'k0', value: 'acks0', headers: { h: '0' } }] })
    await producer.send({ topic, acks: 1, messages: [{ key: 'k1', value: 'acks1', headers: { h: '1' } }] })
    await producer.send({
      topic,
      acks: -1,
      compression: CompressionTypes.GZIP,
      messages: [
        { key: 'k2', value: 'gzip-a', headers: { h: '2', other: 'x' } },
        { key: null, value: 'gzip-b' },
      ],
    })
    const received: Consumed[] = []
    await startConsumer(unique('group'), topic, received)
    await waitFor(() => (received.length >= 4 ? true : undefined))
    expect(received.map(({ offset, key, value, headers }) => ({ offset, key, value, headers }))).toEqual([
      { offset: '0', key: 'k0', value: 'acks0', headers: { h: '0' } },
      { offset: '1', key: 'k1', value: 'acks1', headers: { h: '1' } },
      { offset: '2', key: 'k2', value: 'gzip-a', headers: { h: '2', other: 'x' } },
      { offset: '3', key: null, value: 'gzip-b', headers: {} },
    ])
  })

  it('serves an idempotent producer: one copy of every message, offsets dense', async () => {
    const topic = await createTopic(2)
    const producer = await connectedProducer({ idempotent: true, maxInFlightRequests: 1 })
    const sent: string[] = []
    for (let batch = 0; batch < 10; batch++) {
      const messages = Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 4}`, value: `b${batch}-m${i}` }))
      sent.push(...messages.map((m) => m.value))
      await producer.send({ topic, acks: -1, messages })
    }
    const admin = await connectedAdmin()
    const offsets = await admin.fetchTopicOffsets(topic)
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(200)
    const received: Consumed[] = []
    await startConsumer(unique('group'), topic, received)
    await waitFor(() => (received.length >= 200 ? true : undefined))
    expect(received.map((m) => m.value).sort()).toEqual([...sent].sort())
  })

  it('rebalances two consumers over four partitions and consumes every message exactly once', async () => {
    const topic = await createTopic(4)
    const groupId = unique('group')
    const admin = await connectedAdmin()
    const producer = await connectedProducer()
    const produce = async (round: string) => {
      const messages = Array.from({ length: 40 }, (_, i) => ({ key: `key-${i}`, value: `${round}-${i}` }))
      await producer.send({ topic, messages })
      return messages.map((m) => m.value)
    }

    const first: Consumed[] = []
    await startConsumer(groupId, topic, first)
    const produced = await produce('round1')
    await waitFor(() => (first.length >= 40 ? true : undefined))
    // Everything the first consumer saw is committed before the second one joins.
    await waitFor(async () => {
      const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] })
      return committed!.partitions.reduce((sum, p) => sum + Math.max(Number(p.offset), 0), 0) === 40 ? true : undefined
    })

    const second: Consumed[] = []
    await startConsumer(groupId, topic, second)
    const description = await waitFor(async () => {
      const { groups } = await admin.describeGroups([groupId])
      const group = groups[0]!
      return group.state === 'Stable' && group.members.length === 2 ? group : undefined
    })
    const assigned = description.members.map((m) => {
      const assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment)
      return (assignment?.assignment[topic] ?? []).sort()
    })
    expect(assigned.map((partitions) => partitions.length)).toEqual([2, 2])
    expect(assigned.flat().sort()).toEqual([0, 1, 2, 3])
    expect(description.protocol).toBe('RoundRobinAssigner')

    produced.push(...(await produce('round2')))
    await waitFor(() => (first.length + second.length >= 80 ? true : undefined))
    const all = [...first, ...second].map((m) => m.value)
    expect(new Set(all).size).toBe(all.length)
    expect(all.sort()).toEqual([...produced].sort())
    // Round 2 was split: each consumer read exactly the partitions it was assigned.
    const round2 = (received: Consumed[]) =>
      new Set(received.filter((m) => m.value.startsWith('round2')).map((m) => m.partition))
    expect([...round2(first), ...round2(second)].sort()).toEqual([0, 1, 2, 3])
    expect(round2(first).size).toBeGreaterThan(0)
    expect(round2(second).size).toBeGreaterThan(0)
  })

  it('commits offsets from a consumer and fetches them back through the admin client', async () => {
    const topic = await createTopic(2)
    const groupId = unique('group')
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 })
    await consumer.connect()
    cleanup.defer(() => consumer.disconnect())
    await consumer.subscribe({ topic })
    await consumer.run({ autoCommit: false, eachMessage: async () => {} })
    const admin = await connectedAdmin()
    await waitFor(async () => {
      const { groups } = await admin.describeGroups([groupId])
      return groups[0]!.state === 'Stable' ? true : undefined
    })
    await consumer.commitOffsets([
      { topic, partition: 0, offset: '5' },
      { topic, partition: 1, offset: '7' },
    ])
    const [fetched] = await admin.fetchOffsets({ groupId, topics: [topic] })
    expect(fetched!.partitions.sort((a, b) => a.partition - b.partition)).toEqual([
      { partition: 0, offset: '5', metadata: null },
      { partition: 1, offset: '7', metadata: null },
    ])
  })

  it('sets offsets on a group with no members, then a consumer resumes from them', async () => {
    const topic = await createTopic()
    const groupId = unique('group')
    const producer = await connectedProducer()
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}` })) })
    const admin = await connectedAdmin()
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '6' }] })
    const [fetched] = await admin.fetchOffsets({ groupId, topics: [topic] })
    expect(fetched!.partitions).toEqual([{ partition: 0, offset: '6', metadata: null }])
    expect((await admin.describeGroups([groupId])).groups[0]!.state).toBe('Empty')

    const received: Consumed[] = []
    await startConsumer(groupId, topic, received)
    await waitFor(() => (received.length >= 4 ? true : undefined))
    expect(received.map((m) => [m.offset, m.value])).toEqual([
      ['6', 'm6'],
      ['7', 'm7'],
      ['8', 'm8'],
      ['9', 'm9'],
    ])
  })

  it('resets a group to the earliest offset and replays the topic', async () => {
    const topic = await createTopic()
    const groupId = unique('group')
    const producer = await connectedProducer()
    await producer.send({ topic, messages: [{ value: 'a' }, { value: 'b' }, { value: 'c' }] })
    const admin = await connectedAdmin()
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '3' }] })
    await admin.resetOffsets({ groupId, topic, earliest: true })
    // kafkajs commits the EARLIEST marker (-2) and its consumer resolves a negative committed offset
    // with `fromBeginning`; without the reset the committed offset 3 would win and nothing would replay.
    const [fetched] = await admin.fetchOffsets({ groupId, topics: [topic] })
    expect(fetched!.partitions).toEqual([{ partition: 0, offset: '-2', metadata: null }])
    const received: Consumed[] = []
    await startConsumer(groupId, topic, received, true)
    await waitFor(() => (received.length >= 3 ? true : undefined))
    expect(received.map((m) => m.value)).toEqual(['a', 'b', 'c'])
  })

  it('looks offsets up by timestamp and lists earliest/latest offsets', async () => {
    const topic = await createTopic()
    const producer = await connectedProducer()
    const base = 1_700_000_000_000
    await producer.send({
      topic,
      messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}`, timestamp: String(base + i * 1000) })),
    })
    const admin = await connectedAdmin()
    expect(await admin.fetchTopicOffsetsByTimestamp(topic, base + 4500)).toEqual([{ partition: 0, offset: '5' }])
    expect(await admin.fetchTopicOffsetsByTimestamp(topic, base)).toEqual([{ partition: 0, offset: '0' }])
    // Past the last record kafkajs falls back to the high watermark (the broker answers -1).
    expect(await admin.fetchTopicOffsetsByTimestamp(topic, base + 60_000)).toEqual([{ partition: 0, offset: '10' }])
    expect(await admin.fetchTopicOffsets(topic)).toEqual([{ partition: 0, offset: '10', high: '10', low: '0' }])
  })

  it('describes, lists and deletes groups', async () => {
    const topic = await createTopic()
    const groupId = unique('group')
    const admin = await connectedAdmin()
    const consumer: Consumer = await startConsumer(groupId, topic, [])
    const stable = await waitFor(async () => {
      const { groups } = await admin.describeGroups([groupId])
      return groups[0]!.state === 'Stable' ? groups[0]! : undefined
    })
    expect(stable).toMatchObject({ groupId, protocolType: 'consumer', protocol: 'RoundRobinAssigner' })
    expect(stable.members).toHaveLength(1)
    expect(stable.members[0]!.clientHost).toBe('/127.0.0.1')
    expect((await admin.listGroups()).groups).toContainEqual({ groupId, protocolType: 'consumer' })
    await expect(admin.deleteGroups([groupId])).rejects.toMatchObject({
      groups: [expect.objectContaining({ groupId, errorCode: 68 })],
    })

    await consumer.commitOffsets([{ topic, partition: 0, offset: '1' }])
    await consumer.disconnect()
    expect((await admin.describeGroups([groupId])).groups[0]!.state).toBe('Empty')
    expect(await admin.deleteGroups([groupId])).toEqual([expect.objectContaining({ groupId, errorCode: 0 })])
    expect((await admin.describeGroups([groupId])).groups[0]!.state).toBe('Dead')
    const [fetched] = await admin.fetchOffsets({ groupId, topics: [topic] })
    expect(fetched!.partitions).toEqual([{ partition: 0, offset: '-1', metadata: null }])
    await expect(admin.deleteGroups([unique('never-existed')])).rejects.toMatchObject({
      groups: [expect.objectContaining({ errorCode: 69 })],
    })
  })

  it('creates, lists, describes and deletes topics', async () => {
    const admin = await connectedAdmin()
    const topic = unique('topic')
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })).toBe(true)
    expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3 }] })).toBe(false)
    expect(await admin.listTopics()).toContain(topic)
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] })
    expect(topics[0]!.partitions.map((p) => [p.partitionId, p.leader, p.replicas, p.isr])).toEqual([
      [0, 1, [1], [1]],
      [1, 1, [1], [1]],
      [2, 1, [1], [1]],
    ])
    await expect(admin.createTopics({ topics: [{ topic: unique('rf'), replicationFactor: 3 }] })).rejects.toMatchObject(
      {
        errors: [expect.objectContaining({ type: 'INVALID_REPLICATION_FACTOR' })],
      },
    )
    await admin.deleteTopics({ topics: [topic] })
    expect(await admin.listTopics()).not.toContain(topic)
  })

  it('auto-creates a topic on first produce', async () => {
    const topic = unique('auto')
    const producer = kafka.producer({ allowAutoTopicCreation: true })
    await producer.connect()
    cleanup.defer(() => producer.disconnect())
    const [result] = await producer.send({ topic, messages: [{ value: 'x' }] })
    expect(result).toMatchObject({ topicName: topic, partition: 0, errorCode: 0, baseOffset: '0' })
  })
})
