import { AssignerProtocol, CompressionTypes, type Kafka } from 'kafkajs'
import { afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'
import { Cleanup, kafkaClient, unique, waitFor } from './support/kafka.js'
import { KcatProcess, kcat, requireKcat } from './support/kcat.js'

/**
 * librdkafka (through Debian's kcat) is the second, independent client implementation the broker
 * must satisfy: it negotiates different API versions than kafkajs (ApiVersions v3, Metadata v4,
 * OffsetCommit v7...) and uses its own group protocol ("range"/"roundrobin").
 */
const { kafka: address } = inject('endpoints')

let kafka: Kafka
const cleanup = new Cleanup()

beforeAll(() => {
  requireKcat()
})

beforeEach(() => {
  kafka = kafkaClient(address, 'kcat-conformance')
})

afterEach(async () => {
  await cleanup.run()
})

async function createTopic(partitions = 1): Promise<string> {
  const topic = unique('kcat')
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] })
  await admin.disconnect()
  return topic
}

/** Reads a whole topic with kcat; `-e` exits at the end of every partition. */
async function kcatConsume(topic: string, format: string): Promise<string[]> {
  const result = await kcat(['-b', address, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', format])
  expect(result.code, result.stderr).toBe(0)
  return result.stdout.split('\n').filter((line) => line !== '')
}

describe('librdkafka (kcat) against the embedded broker', () => {
  it('produces keys and headers with kcat that kafkajs consumes intact', async () => {
    const topic = await createTopic()
    const produced = await kcat(
      ['-b', address, '-P', '-t', topic, '-K:', '-H', 'source=kcat', '-H', 'n=1'],
      'k1:v1\nk2:v2\n',
    )
    expect(produced.code, produced.stderr).toBe(0)

    const received: Array<{ key: string; value: string; headers: Record<string, string> }> = []
    const consumer = kafka.consumer({ groupId: unique('group'), maxWaitTimeInMs: 200 })
    await consumer.connect()
    cleanup.defer(() => consumer.disconnect())
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ message }) => {
        received.push({
          key: String(message.key),
          value: String(message.value),
          headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
        })
      },
    })
    await waitFor(() => (received.length >= 2 ? true : undefined))
    expect(received).toEqual([
      { key: 'k1', value: 'v1', headers: { source: 'kcat', n: '1' } },
      { key: 'k2', value: 'v2', headers: { source: 'kcat', n: '1' } },
    ])
  })

  it('consumes with kcat what kafkajs produced: keys, values, headers, plain and gzip', async () => {
    const topic = await createTopic()
    const producer = kafka.producer()
    await producer.connect()
    cleanup.defer(() => producer.disconnect())
    await producer.send({
      topic,
      messages: [
        { key: 'alpha', value: 'first value', headers: { trace: 't-1', kind: 'plain' } },
        { key: 'beta', value: 'second value', headers: { trace: 't-2' } },
      ],
    })
    await producer.send({
      topic,
      compression: CompressionTypes.GZIP,
      messages: [{ key: 'gamma', value: 'gzipped value', headers: { trace: 't-3' } }],
    })
    const lines = await kcatConsume(topic, 'offset=%o key=%k value=%s headers=%h\\n')
    expect(lines).toEqual([
      'offset=0 key=alpha value=first value headers=trace=t-1,kind=plain',
      'offset=1 key=beta value=second value headers=trace=t-2',
      'offset=2 key=gamma value=gzipped value headers=trace=t-3',
    ])
  })

  it.each(['gzip', 'snappy', 'lz4', 'zstd'])('round-trips %s batches compressed by librdkafka', async (codec) => {
    const topic = await createTopic()
    const values = Array.from({ length: 20 }, (_, i) => `${codec}-message-${i}-${'x'.repeat(50)}`)
    const produced = await kcat(['-b', address, '-P', '-t', topic, '-z', codec], `${values.join('\n')}\n`)
    expect(produced.code, produced.stderr).toBe(0)
    expect(await kcatConsume(topic, '%s\\n')).toEqual(values)
  })

  it('reads gzip batches from librdkafka with kafkajs', async () => {
    const topic = await createTopic()
    const values = Array.from({ length: 5 }, (_, i) => `gzip-from-kcat-${i}-${'y'.repeat(40)}`)
    await kcat(['-b', address, '-P', '-t', topic, '-z', 'gzip'], `${values.join('\n')}\n`)
    const received: string[] = []
    const consumer = kafka.consumer({ groupId: unique('group'), maxWaitTimeInMs: 200 })
    await consumer.connect()
    cleanup.defer(() => consumer.disconnect())
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({ eachMessage: async ({ message }) => void received.push(String(message.value)) })
    await waitFor(() => (received.length >= 5 ? true : undefined))
    expect(received).toEqual(values)
  })

  it('lists the broker, topics and partitions with kcat -L', async () => {
    const topic = await createTopic(3)
    const result = await kcat(['-b', address, '-L', '-J', '-t', topic])
    expect(result.code, result.stderr).toBe(0)
    const metadata = JSON.parse(result.stdout) as {
      controllerid: number
      brokers: Array<{ id: number; name: string }>
      topics: Array<{ topic: string; partitions: Array<{ partition: number; leader: number; replicas: unknown[] }> }>
    }
    expect(metadata.controllerid).toBe(1)
    expect(metadata.brokers).toEqual([{ id: 1, name: address }])
    expect(metadata.topics).toHaveLength(1)
    expect(metadata.topics[0]!.topic).toBe(topic)
    expect(metadata.topics[0]!.partitions.map((p) => [p.partition, p.leader, p.replicas])).toEqual([
      [0, 1, [{ id: 1 }]],
      [1, 1, [{ id: 1 }]],
      [2, 1, [{ id: 1 }]],
    ])
    const all = await kcat(['-b', address, '-L'])
    expect(all.stdout).toContain(`broker 1 at ${address} (controller)`)
    expect(all.stdout).toContain(`topic "${topic}" with 3 partitions`)
  })

  it('balances a kcat consumer group of two members and consumes every message once', async () => {
    const topic = await createTopic(4)
    const group = unique('kcat-group')
    const member = (name: string) =>
      new KcatProcess([
        '-b',
        address,
        '-G',
        group,
        '-X',
        'auto.offset.reset=earliest',
        '-X',
        'heartbeat.interval.ms=250',
        '-u',
        '-q',
        '-f',
        `${name} %p %s\\n`,
        topic,
      ])
    const admin = kafka.admin()
    await admin.connect()
    cleanup.defer(() => admin.disconnect())
    const stableWith = (members: number) =>
      waitFor(async () => {
        const { groups } = await admin.describeGroups([group])
        return groups[0]!.state === 'Stable' && groups[0]!.members.length === members ? groups[0]! : undefined
      }, 100)

    const a = member('A')
    cleanup.defer(() => a.stop())
    await stableWith(1)
    const b = member('B')
    cleanup.defer(() => b.stop())
    const description = await stableWith(2)
    expect(description.protocolType).toBe('consumer')
    expect(['range', 'roundrobin']).toContain(description.protocol)
    const assigned = description.members.map(
      (m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment[topic]?.length,
    )
    expect(assigned).toEqual([2, 2])

    const producer = kafka.producer()
    await producer.connect()
    cleanup.defer(() => producer.disconnect())
    const values = Array.from({ length: 40 }, (_, i) => `m${i}`)
    await producer.send({ topic, messages: values.map((value, i) => ({ key: `key-${i}`, value })) })
    await waitFor(() => (a.lines.length + b.lines.length >= values.length ? true : undefined), 100)
    const consumed = [...a.lines, ...b.lines].map((line) => line.split(' ')[2])
    expect(consumed.sort()).toEqual([...values].sort())
    expect(a.lines.length).toBeGreaterThan(0)
    expect(b.lines.length).toBeGreaterThan(0)

    // A clean shutdown commits and leaves: the group ends Empty with every offset committed.
    await a.stop()
    await b.stop()
    expect((await admin.describeGroups([group])).groups[0]!.state).toBe('Empty')
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] })
    const high = await admin.fetchTopicOffsets(topic)
    expect(committed!.partitions.map((p) => p.offset).sort()).toEqual(high.map((p) => p.high).sort())
  })
})
