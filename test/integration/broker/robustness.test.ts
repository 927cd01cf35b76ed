import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { startBroker } from '../../../src/broker/index.js'
import { ErrorCode } from '../../../src/broker/protocol/error-codes.js'
import { Writer } from '../../../src/broker/protocol/writer.js'
import { encodeBatch } from '../../unit/broker/support/batches.js'
import { Cleanup, kafkaClient, unique } from './support/kafka.js'
import { RawClient } from './support/raw-client.js'

const { kafka: address } = inject('endpoints')
const cleanup = new Cleanup()

afterEach(async () => {
  await cleanup.run()
})

async function raw(): Promise<RawClient> {
  const client = await RawClient.connect(address)
  cleanup.defer(async () => client.close())
  return client
}

/** kafkajs still does a full round trip: the broker survived whatever the test sent. */
async function brokerStillServesKafkajs(): Promise<void> {
  const kafka = kafkaClient(address, 'after-abuse')
  const topic = unique('alive')
  const producer = kafka.producer()
  await producer.connect()
  cleanup.defer(() => producer.disconnect())
  const [result] = await producer.send({ topic, messages: [{ value: 'still here' }] })
  expect(result!.errorCode).toBe(0)
}

const metadataV1 = (topics: string[]) => new Writer().array(topics, (w, t) => w.string(t))

describe('broker robustness against malformed and unsupported input', () => {
  it('closes only the connection that sends a bogus frame length', async () => {
    const bystander = await raw()
    const huge = await raw()
    huge.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3]))
    await huge.closed
    const negative = await raw()
    negative.write(Buffer.from([0xff, 0xff, 0xff, 0xfe]))
    await negative.closed
    const tiny = await raw()
    tiny.write(Buffer.from([0, 0, 0, 2, 0, 0]))
    await tiny.closed
    // The other connection on the same broker is unaffected.
    const response = await bystander.request(18, 0)
    expect(response.body.int16()).toBe(ErrorCode.NONE)
    await brokerStillServesKafkajs()
  })

  it('answers an unknown API key with UNSUPPORTED_VERSION and keeps the connection', async () => {
    const client = await raw()
    const response = await client.request(9999, 0, Buffer.from('whatever'))
    expect(response.body.int16()).toBe(ErrorCode.UNSUPPORTED_VERSION)
    expect((await client.request(18, 2)).body.int16()).toBe(ErrorCode.NONE)
  })

  it('answers an unsupported version of a known API with UNSUPPORTED_VERSION', async () => {
    const client = await raw()
    expect((await client.request(3, 99, metadataV1([]))).body.int16()).toBe(ErrorCode.UNSUPPORTED_VERSION)
    // Fetch v0-v3 would need the old message format, which is not served.
    expect((await client.request(1, 3)).body.int16()).toBe(ErrorCode.UNSUPPORTED_VERSION)
  })

  it('answers an unsupported ApiVersions version with a v0 body listing what it supports (KIP-511)', async () => {
    const client = await raw()
    const { body } = await client.request(18, 42)
    expect(body.int16()).toBe(ErrorCode.UNSUPPORTED_VERSION)
    const keys = body.array((r) => ({ apiKey: r.int16(), min: r.int16(), max: r.int16() }))
    expect(keys).toContainEqual({ apiKey: 18, min: 0, max: 3 })
    expect(keys).toContainEqual({ apiKey: 0, min: 0, max: 8 })
    expect(body.remaining).toBe(0)
  })

  it('answers a truncated body of a known API with INVALID_REQUEST in a well-formed response', async () => {
    const client = await raw()
    const findCoordinatorV1 = new Writer().int16(200).raw(Buffer.from('short'))
    const { body } = await client.request(10, 1, findCoordinatorV1)
    body.int32() // throttle_time_ms
    expect(body.int16()).toBe(ErrorCode.INVALID_REQUEST)
    expect((await client.request(18, 0)).body.int16()).toBe(ErrorCode.NONE)
  })

  it('keeps responses in request order while a fetch long-polls, and sends nothing back for acks=0', async () => {
    const client = await raw()
    const topic = unique('ordering')
    await client.request(3, 4, metadataV1([topic]).boolean(true))
    const fetchV4 = new Writer()
      .int32(-1)
      .int32(300) // max_wait_ms
      .int32(1) // min_bytes: nothing to read, so the broker waits the full time
      .int32(1 << 20)
      .int8(0)
      .array([topic], (w, t) =>
        w.string(t).array([0], (w, p) => {
          w.int32(p)
            .int64(0)
            .int32(1 << 20)
        }),
      )
    const fetchId = client.send(1, 4, fetchV4)
    const produceV3 = (acks: number) =>
      new Writer()
        .nullableString(null)
        .int16(acks)
        .int32(1000)
        .array([topic], (w, t) =>
          w.string(t).array([0], (w, p) => {
            w.int32(p).bytes(encodeBatch([{ value: `acks=${acks}` }]))
          }),
        )
    client.send(0, 3, produceV3(0))
    const apiVersionsId = client.send(18, 0)
    const first = await client.next()
    const second = await client.next()
    expect([first.correlationId, second.correlationId]).toEqual([fetchId, apiVersionsId])
    // The acks=0 record was still written.
    const listOffsetsV1 = new Writer().int32(-1).array([topic], (w, t) =>
      w.string(t).array([0], (w, p) => {
        w.int32(p).int64(-1)
      }),
    )
    const { body } = await client.request(2, 1, listOffsetsV1)
    const [latest] = body.array((r) => {
      r.string()
      return r.array((r) => ({ index: r.int32(), errorCode: r.int16(), timestamp: r.int64(), offset: r.int64() }))
    })
    expect(latest).toEqual([{ index: 0, errorCode: 0, timestamp: -1, offset: 1 }])
  })

  it('wakes a long-polling fetch as soon as a record arrives', async () => {
    const consumer = await raw()
    const producer = await raw()
    const topic = unique('wake')
    await consumer.request(3, 4, metadataV1([topic]).boolean(true))
    // Ten minutes of max_wait: only the produce below can end this fetch before the test times out.
    const fetchV4 = new Writer()
      .int32(-1)
      .int32(600_000)
      .int32(1)
      .int32(1 << 20)
      .int8(0)
      .array([topic], (w, t) =>
        w.string(t).array([0], (w, p) => {
          w.int32(p)
            .int64(0)
            .int32(1 << 20)
        }),
      )
    const fetchId = consumer.send(1, 4, fetchV4)
    const produceV3 = new Writer()
      .nullableString(null)
      .int16(1)
      .int32(1000)
      .array([topic], (w, t) =>
        w.string(t).array([0], (w, p) => {
          w.int32(p).bytes(encodeBatch([{ value: 'wake up' }]))
        }),
      )
    await producer.request(0, 3, produceV3)
    const { correlationId, body } = await consumer.next()
    expect(correlationId).toBe(fetchId)
    body.int32() // throttle
    const [partitions] = body.array((r) => {
      r.string()
      return r.array((r) => ({
        index: r.int32(),
        errorCode: r.int16(),
        highWatermark: r.int64(),
        lastStableOffset: r.int64(),
        aborted: r.int32(),
        records: r.bytes().length,
      }))
    })
    expect(partitions![0]).toMatchObject({ index: 0, errorCode: 0, highWatermark: 1, lastStableOffset: 1 })
    expect(partitions![0]!.records).toBeGreaterThan(61)
  })

  it('deduplicates a retried idempotent batch: same offset acknowledged, one copy stored', async () => {
    const client = await raw()
    const topic = unique('dedupe')
    const init = await client.request(22, 0, new Writer().nullableString(null).int32(60_000))
    init.body.int32()
    expect(init.body.int16()).toBe(ErrorCode.NONE)
    const producerId = init.body.int64()
    const epoch = init.body.int16()
    const produce = (sequence: number, value: string) =>
      client.request(
        0,
        7,
        new Writer()
          .nullableString(null)
          .int16(-1)
          .int32(1000)
          .array([topic], (w, t) =>
            w.string(t).array([0], (w, p) => {
              w.int32(p).bytes(encodeBatch([{ value }], { producerId, producerEpoch: epoch, baseSequence: sequence }))
            }),
          ),
      )
    const result = async (sequence: number, value: string) => {
      const { body } = await produce(sequence, value)
      const [partitions] = body.array((r) => {
        r.string()
        return r.array((r) => {
          r.int32() // partition index
          const partition = { errorCode: r.int16(), baseOffset: r.int64() }
          r.int64() // log_append_time
          r.int64() // log_start_offset
          return partition
        })
      })
      return partitions![0]!
    }
    expect(await result(0, 'first')).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 0 })
    expect(await result(1, 'second')).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 1 })
    // A retry of the first batch (lost response) is acknowledged with its original offset.
    expect(await result(0, 'first')).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 0 })
    expect(await result(5, 'gap')).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER })
    expect(await result(2, 'third')).toEqual({ errorCode: ErrorCode.NONE, baseOffset: 2 })
  })

  it('survives a fuzz of random frames, random bytes and mutated real client requests', async () => {
    // A broker of its own: mutated requests may create topics and groups.
    const broker = await startBroker({ port: 0 })
    cleanup.defer(() => broker.close())
    const random = seeded(20_240_611)
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(random() * 256)))
    // Fetch, JoinGroup and SyncGroup may legitimately park a request that happens to parse.
    const mayWait = new Set([1, 11, 14])
    const exchange = async (send: (client: RawClient) => number | undefined) => {
      const client = await RawClient.connect(broker.address)
      const apiKey = send(client)
      // An answer or a closed connection are both fine; a crash or a wedged broker is not.
      if (apiKey !== undefined && !mayWait.has(apiKey)) await Promise.race([client.next(), client.closed])
      client.close()
    }
    for (let round = 0; round < 200; round++) {
      await exchange((client) => {
        // Raw garbage, possibly the start of a frame that never completes.
        client.write(bytes(1 + Math.floor(random() * 40)))
        return undefined
      })
      await exchange((client) => {
        const apiKey = Math.floor(random() * 50)
        client.send(apiKey, Math.floor(random() * 12), bytes(Math.floor(random() * 64)))
        return apiKey
      })
    }
    for (const frame of capturedFrames()) {
      for (let round = 0; round < 25; round++) {
        const mutated = Buffer.from(frame)
        for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) {
          // Keep api key, version and correlation id: the point is to reach the body parsers.
          const at = 8 + Math.floor(random() * (mutated.length - 8))
          mutated[at] = Math.floor(random() * 256)
        }
        const body = round % 5 === 0 ? mutated.subarray(0, 8 + Math.floor(random() * (mutated.length - 8))) : mutated
        await exchange((client) => {
          client.write(Buffer.concat([new Writer().int32(body.length).toBuffer(), body]))
          return body.readInt16BE(0)
        })
      }
    }
    const kafka = kafkaClient(broker.address, 'after-fuzz')
    const producer = kafka.producer()
    await producer.connect()
    cleanup.defer(() => producer.disconnect())
    const [result] = await producer.send({ topic: unique('alive'), messages: [{ value: 'still here' }] })
    expect(result!.errorCode).toBe(0)
  })

  it('ends pending long polls, parked group joins and connections promptly on close', async () => {
    const broker = await startBroker({ port: 0 })
    const joinV1 = new Writer()
      .string('parked')
      .int32(10_000) // session timeout
      .int32(600_000) // rebalance timeout
      .string('')
      .string('consumer')
      .array(['range'], (w, name) => w.string(name).bytes(Buffer.alloc(0)))
    // The first member joins at once and then stays silent; the second waits for it to rejoin.
    const first = await RawClient.connect(broker.address)
    expect((await first.request(11, 1, joinV1)).body.int16()).toBe(ErrorCode.NONE)
    const second = await RawClient.connect(broker.address)
    second.send(11, 1, joinV1)
    const client = await RawClient.connect(broker.address)
    const fetchV4 = new Writer()
      .int32(-1)
      .int32(600_000)
      .int32(1)
      .int32(1 << 20)
      .int8(0)
      .int32(0) // no topics: nothing can ever satisfy min_bytes
    client.send(1, 4, fetchV4)
    await broker.close()
    await Promise.all([client.closed, first.closed, second.closed])
    await broker.close() // idempotent
  })
})

/** mulberry32: a tiny seeded PRNG so the fuzz input is the same on every run. */
function seeded(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Every request frame captured from kafkajs and librdkafka (test/unit/broker/fixtures). */
function capturedFrames(): Buffer[] {
  const fixtures = JSON.parse(
    readFileSync(new URL('../../unit/broker/fixtures/client-requests.json', import.meta.url), 'utf8'),
  ) as Record<string, Record<string, string> | string>
  return Object.values(fixtures).flatMap((client) =>
    typeof client === 'string' ? [] : Object.values(client).map((hex) => Buffer.from(hex, 'hex')),
  )
}
