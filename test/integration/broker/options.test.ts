import { afterEach, describe, expect, it } from 'vitest'
import { startBroker } from '../../../src/broker/index.js'
import { ConfigError } from '../../../src/errors.js'
import { Cleanup, kafkaClient, unique } from './support/kafka.js'

const cleanup = new Cleanup()

afterEach(async () => {
  await cleanup.run()
})

describe('startBroker options', () => {
  it('auto-creates topics with defaultPartitions and advertises nodeId', async () => {
    const broker = await startBroker({ port: 0, defaultPartitions: 3, nodeId: 7 })
    cleanup.defer(() => broker.close())
    expect(broker.address).toBe(`127.0.0.1:${broker.port}`)
    const admin = kafkaClient(broker.address, 'options').admin()
    await admin.connect()
    cleanup.defer(() => admin.disconnect())
    const topic = unique('auto')
    const producer = kafkaClient(broker.address, 'options').producer()
    await producer.connect()
    cleanup.defer(() => producer.disconnect())
    await producer.send({ topic, messages: [{ value: 'x' }] })
    const { topics } = await admin.fetchTopicMetadata({ topics: [topic] })
    expect(topics[0]!.partitions.map((p) => [p.partitionId, p.leader])).toEqual([
      [0, 7],
      [1, 7],
      [2, 7],
    ])
  })

  it('refuses unknown topics when auto-creation is off', async () => {
    const broker = await startBroker({ port: 0, autoCreateTopics: false })
    cleanup.defer(() => broker.close())
    const producer = kafkaClient(broker.address, 'no-auto').producer({
      retry: { retries: 1, initialRetryTime: 50 },
    })
    await producer.connect()
    cleanup.defer(() => producer.disconnect())
    await expect(producer.send({ topic: unique('missing'), messages: [{ value: 'x' }] })).rejects.toMatchObject({
      cause: { type: 'UNKNOWN_TOPIC_OR_PARTITION' },
    })
    const admin = kafkaClient(broker.address, 'no-auto').admin({ retry: { retries: 0 } })
    await admin.connect()
    cleanup.defer(() => admin.disconnect())
    expect(await admin.listTopics()).toEqual([])
  })

  it('rejects invalid options with a ConfigError naming each problem', async () => {
    await expect(startBroker({ port: 70_000, defaultPartitions: 0, nodeId: -1 })).rejects.toThrow(ConfigError)
    await expect(startBroker({ defaultPartitions: 1.5 })).rejects.toThrow(/defaultPartitions/)
  })

  it('fails to start, without leaking, when the port is taken', async () => {
    const broker = await startBroker({ port: 0 })
    cleanup.defer(() => broker.close())
    await expect(startBroker({ port: broker.port })).rejects.toThrow(/EADDRINUSE/)
  })
})
