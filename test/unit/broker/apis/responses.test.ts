import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { apiVersions } from '../../../../src/broker/apis/api-versions.js'
import type { ApiCodec } from '../../../../src/broker/apis/codec.js'
import { fetch } from '../../../../src/broker/apis/fetch.js'
import { findCoordinator } from '../../../../src/broker/apis/find-coordinator.js'
import { deleteGroups, describeGroups, listGroups } from '../../../../src/broker/apis/group-admin.js'
import { heartbeat, joinGroup, leaveGroup, syncGroup } from '../../../../src/broker/apis/group-membership.js'
import { initProducerId } from '../../../../src/broker/apis/init-producer-id.js'
import { listOffsets } from '../../../../src/broker/apis/list-offsets.js'
import { metadata } from '../../../../src/broker/apis/metadata.js'
import { offsetCommit, offsetFetch } from '../../../../src/broker/apis/offsets.js'
import { produce } from '../../../../src/broker/apis/produce.js'
import { createTopics, deleteTopics } from '../../../../src/broker/apis/topics.js'
import { Reader } from '../../../../src/broker/protocol/reader.js'
import { assignBaseOffset } from '../../../../src/broker/protocol/record-batch.js'
import { Writer } from '../../../../src/broker/protocol/writer.js'
import { encodeBatch } from '../support/batches.js'

/**
 * Response encoders checked against an independent implementation: kafkajs' own response
 * decoders (node_modules/kafkajs/src/protocol/requests/<api>/v<n>/response.js), version by version.
 */
const require = createRequire(import.meta.url)
// biome-ignore lint/suspicious/noExplicitAny: kafkajs' decoders are untyped JavaScript; the assertions check the shape
type Decoded = Record<string, any>
interface KafkajsResponse {
  decode(body: Buffer): Promise<Decoded> | Decoded
}

function encode<Res>(codec: ApiCodec<unknown, Res>, version: number, response: Res): Buffer {
  const w = new Writer()
  codec.encodeResponse(w, version, response)
  return w.toBuffer()
}

async function viaKafkajs<Res>(codec: ApiCodec<unknown, Res>, dir: string, version: number, response: Res) {
  const module = require(`kafkajs/src/protocol/requests/${dir}/v${version}/response.js`) as KafkajsResponse
  return await module.decode(encode(codec, version, response))
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i)

describe('response encoders, decoded by kafkajs 2.2.4', () => {
  it.each(range(0, 2))('ApiVersions v%i', async (v) => {
    const decoded = await viaKafkajs(apiVersions, 'apiVersions', v, {
      errorCode: 0,
      apiKeys: [{ apiKey: 0, minVersion: 0, maxVersion: 8 }],
    })
    expect(decoded.apiVersions).toEqual([{ apiKey: 0, minVersion: 0, maxVersion: 8 }])
  })

  it.each(range(0, 6))('Metadata v%i', async (v) => {
    const decoded = await viaKafkajs(metadata, 'metadata', v, {
      brokers: [{ nodeId: 1, host: '127.0.0.1', port: 9092 }],
      clusterId: 'abc',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 't',
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, replicaNodes: [1], isrNodes: [1] }],
        },
      ],
    })
    expect(decoded.brokers).toEqual([expect.objectContaining({ nodeId: 1, host: '127.0.0.1', port: 9092 })])
    expect(decoded.topicMetadata[0]).toMatchObject({ topic: 't', topicErrorCode: 0 })
    expect(decoded.topicMetadata[0].partitionMetadata[0]).toMatchObject({
      partitionId: 0,
      leader: 1,
      replicas: [1],
      isr: [1],
    })
    if (v >= 1) expect(decoded.controllerId).toBe(1)
    if (v >= 2) expect(decoded.clusterId).toBe('abc')
  })

  it.each(range(3, 7))('Produce v%i', async (v) => {
    const decoded = await viaKafkajs(produce, 'produce', v, {
      topics: [
        { name: 't', partitions: [{ index: 2, errorCode: 0, baseOffset: 41, logStartOffset: 0, errorMessage: null }] },
      ],
    })
    expect(decoded.topics[0].topicName).toBe('t')
    expect(decoded.topics[0].partitions[0]).toMatchObject({ partition: 2, errorCode: 0, baseOffset: '41' })
  })

  it.each(range(4, 11))('Fetch v%i returns whole stored batches', async (v) => {
    const first = encodeBatch([{ key: 'k1', value: 'v1', headers: { h: 'x' } }])
    const second = encodeBatch([{ value: 'v2' }, { value: 'v3' }], { gzip: true })
    assignBaseOffset(first, 10, 0)
    assignBaseOffset(second, 11, 0)
    const decoded = await viaKafkajs(fetch, 'fetch', v, {
      errorCode: 0,
      topics: [
        {
          name: 't',
          partitions: [
            {
              index: 0,
              errorCode: 0,
              highWatermark: 13,
              lastStableOffset: 13,
              logStartOffset: 0,
              records: [first, second],
            },
          ],
        },
      ],
    })
    const partition = decoded.responses[0].partitions[0]
    expect(partition).toMatchObject({ partition: 0, errorCode: 0, highWatermark: '13', lastStableOffset: '13' })
    const messages = partition.messages as Array<{ offset: string; key: Buffer | null; value: Buffer; headers: object }>
    expect(messages.map((m) => [m.offset, m.key?.toString() ?? null, m.value.toString()])).toEqual([
      ['10', 'k1', 'v1'],
      ['11', null, 'v2'],
      ['12', null, 'v3'],
    ])
    expect(messages[0]!.headers).toEqual({ h: Buffer.from('x') })
  })

  it.each(range(0, 3))('ListOffsets v%i', async (v) => {
    const decoded = await viaKafkajs(listOffsets, 'listOffsets', v, {
      topics: [{ name: 't', partitions: [{ index: 0, errorCode: 0, timestamp: 1234, offset: 56 }] }],
    })
    const partition = decoded.responses[0].partitions[0]
    if (v === 0) expect(partition.offsets).toEqual(['56'])
    else expect(partition).toMatchObject({ partition: 0, errorCode: 0, timestamp: '1234', offset: '56' })
  })

  it.each(range(0, 5))('OffsetCommit v%i', async (v) => {
    const decoded = await viaKafkajs(offsetCommit, 'offsetCommit', v, {
      topics: [{ name: 't', partitions: [{ index: 3, errorCode: 27 }] }],
    })
    expect(decoded.responses).toEqual([{ topic: 't', partitions: [{ partition: 3, errorCode: 27 }] }])
  })

  it.each(range(1, 4))('OffsetFetch v%i', async (v) => {
    const decoded = await viaKafkajs(offsetFetch, 'offsetFetch', v, {
      errorCode: 0,
      topics: [{ name: 't', partitions: [{ index: 0, offset: 7, metadata: 'm', errorCode: 0 }] }],
    })
    expect(decoded.responses[0].partitions[0]).toMatchObject({ partition: 0, offset: '7', metadata: 'm', errorCode: 0 })
  })

  it.each(range(0, 2))('FindCoordinator v%i', async (v) => {
    const decoded = await viaKafkajs(findCoordinator, 'findCoordinator', v, {
      errorCode: 0,
      errorMessage: null,
      nodeId: 1,
      host: 'localhost',
      port: 9092,
    })
    expect(decoded.coordinator).toEqual({ nodeId: 1, host: 'localhost', port: 9092 })
  })

  it.each(range(0, 5))('JoinGroup v%i', async (v) => {
    const decoded = await viaKafkajs(joinGroup, 'joinGroup', v, {
      errorCode: 0,
      generationId: 3,
      protocolName: 'RoundRobinAssigner',
      leader: 'm1',
      memberId: 'm1',
      members: [{ memberId: 'm1', groupInstanceId: null, metadata: Buffer.from('meta') }],
    })
    expect(decoded).toMatchObject({
      generationId: 3,
      groupProtocol: 'RoundRobinAssigner',
      leaderId: 'm1',
      memberId: 'm1',
    })
    expect(decoded.members[0]).toMatchObject({ memberId: 'm1', memberMetadata: Buffer.from('meta') })
  })

  it.each(range(0, 3))('SyncGroup v%i', async (v) => {
    const decoded = await viaKafkajs(syncGroup, 'syncGroup', v, { errorCode: 0, assignment: Buffer.from('assigned') })
    expect(decoded.memberAssignment).toEqual(Buffer.from('assigned'))
  })

  it.each(range(0, 3))('Heartbeat v%i', async (v) => {
    expect((await viaKafkajs(heartbeat, 'heartbeat', v, { errorCode: 27 })).errorCode).toBe(27)
  })

  it.each(range(0, 3))('LeaveGroup v%i', async (v) => {
    const decoded = await viaKafkajs(leaveGroup, 'leaveGroup', v, {
      errorCode: 0,
      members: [{ memberId: 'm1', errorCode: 0 }],
    })
    expect(decoded.errorCode).toBe(0)
    if (v === 3) expect(decoded.members).toEqual([{ memberId: 'm1', groupInstanceId: null, errorCode: 0 }])
  })

  it.each(range(0, 2))('DescribeGroups v%i', async (v) => {
    const decoded = await viaKafkajs(describeGroups, 'describeGroups', v, {
      groups: [
        {
          errorCode: 0,
          groupId: 'g',
          state: 'Stable',
          protocolType: 'consumer',
          protocolData: 'range',
          members: [
            {
              memberId: 'm',
              clientId: 'c',
              clientHost: '/127.0.0.1',
              metadata: Buffer.from('md'),
              assignment: Buffer.from('as'),
            },
          ],
        },
      ],
    })
    expect(decoded.groups[0]).toMatchObject({
      groupId: 'g',
      state: 'Stable',
      protocolType: 'consumer',
      protocol: 'range',
    })
    expect(decoded.groups[0].members[0]).toMatchObject({
      memberId: 'm',
      clientId: 'c',
      clientHost: '/127.0.0.1',
      memberMetadata: Buffer.from('md'),
      memberAssignment: Buffer.from('as'),
    })
  })

  it.each(range(0, 2))('ListGroups v%i', async (v) => {
    const decoded = await viaKafkajs(listGroups, 'listGroups', v, {
      errorCode: 0,
      groups: [{ groupId: 'g', protocolType: 'consumer' }],
    })
    expect(decoded.groups).toEqual([{ groupId: 'g', protocolType: 'consumer' }])
  })

  it.each(range(0, 1))('DeleteGroups v%i', async (v) => {
    const decoded = await viaKafkajs(deleteGroups, 'deleteGroups', v, { results: [{ groupId: 'g', errorCode: 68 }] })
    expect(decoded.results[0]).toMatchObject({ groupId: 'g', errorCode: 68 })
  })

  it.each(range(0, 3))('CreateTopics v%i', async (v) => {
    const decoded = await viaKafkajs(createTopics, 'createTopics', v, {
      topics: [{ name: 't', errorCode: 36, errorMessage: 'exists' }],
    })
    expect(decoded.topicErrors[0]).toMatchObject({ topic: 't', errorCode: 36 })
  })

  it.each(range(0, 1))('DeleteTopics v%i', async (v) => {
    const decoded = await viaKafkajs(deleteTopics, 'deleteTopics', v, { topics: [{ name: 't', errorCode: 3 }] })
    expect(decoded.topicErrors).toEqual([{ topic: 't', errorCode: 3 }])
  })

  it.each(range(0, 1))('InitProducerId v%i', async (v) => {
    const decoded = await viaKafkajs(initProducerId, 'initProducerId', v, {
      errorCode: 0,
      producerId: 4000,
      producerEpoch: 0,
    })
    expect(decoded).toMatchObject({ producerId: '4000', producerEpoch: 0 })
  })
})

describe('ApiVersions v3 (flexible, not implemented by kafkajs)', () => {
  it('encodes a compact array with tagged fields, per KIP-511', () => {
    const body = encode(apiVersions, 3, { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }] })
    // error 0 | compact array of 1 | 18, 0, 3, no tags | throttle 0 | no tags
    expect(body.toString('hex')).toBe('0000' + '02' + '0012' + '0000' + '0003' + '00' + '00000000' + '00')
    const r = new Reader(body)
    expect(r.int16()).toBe(0)
    expect(r.compactArray((r) => [r.int16(), r.int16(), r.int16(), r.skipTaggedFields()])).toHaveLength(1)
  })
})

describe('versions kafkajs does not implement, checked field by field against the protocol spec', () => {
  const partition = { index: 1, errorCode: 0, baseOffset: 5, logStartOffset: 0, errorMessage: null }
  const produced = { topics: [{ name: 't', partitions: [partition] }] }

  it('Produce v0 (no throttle, no log_append_time) and v8 (record errors, error message)', () => {
    const v0 = new Reader(encode(produce, 0, produced))
    expect([v0.int32(), v0.string(), v0.int32(), v0.int32(), v0.int16(), v0.int64(), v0.remaining]).toEqual([
      1,
      't',
      1,
      1,
      0,
      5,
      0,
    ])
    const v8 = new Reader(encode(produce, 8, produced))
    v8.int32()
    v8.string()
    v8.int32()
    expect([v8.int32(), v8.int16(), v8.int64(), v8.int64(), v8.int64()]).toEqual([1, 0, 5, -1, 0])
    expect([v8.int32(), v8.nullableString(), v8.int32(), v8.remaining]).toEqual([0, null, 0, 0])
  })

  it('Produce v0-v2 requests carry no transactional id', () => {
    const body = new Writer()
      .int16(1)
      .int32(1000)
      .array(['t'], (w, t) => w.string(t).array([0], (w, p) => w.int32(p).nullableBytes(null)))
      .toBuffer()
    expect(produce.parseRequest(new Reader(body), 2)).toEqual({
      transactionalId: null,
      acks: 1,
      timeoutMs: 1000,
      topics: [{ name: 't', partitions: [{ index: 0, records: null }] }],
    })
  })

  it('ListOffsets v4+ adds a leader epoch to each partition', () => {
    const r = new Reader(
      encode(listOffsets, 5, {
        topics: [{ name: 't', partitions: [{ index: 0, errorCode: 0, timestamp: -1, offset: 9 }] }],
      }),
    )
    expect([
      r.int32(),
      r.int32(),
      r.string(),
      r.int32(),
      r.int32(),
      r.int16(),
      r.int64(),
      r.int64(),
      r.int32(),
    ]).toEqual([0, 1, 't', 1, 0, 0, -1, 9, 0])
    expect(r.remaining).toBe(0)
  })

  it('DescribeGroups v4 adds group_instance_id per member and authorized operations per group', () => {
    const r = new Reader(
      encode(describeGroups, 4, {
        groups: [
          {
            errorCode: 0,
            groupId: 'g',
            state: 'Empty',
            protocolType: '',
            protocolData: '',
            members: [
              { memberId: 'm', clientId: 'c', clientHost: 'h', metadata: Buffer.alloc(0), assignment: Buffer.alloc(0) },
            ],
          },
        ],
      }),
    )
    expect([r.int32(), r.int32(), r.int16(), r.string(), r.string(), r.string(), r.string(), r.int32()]).toEqual([
      0,
      1,
      0,
      'g',
      'Empty',
      '',
      '',
      1,
    ])
    expect([r.string(), r.nullableString(), r.string(), r.string(), r.bytes().length, r.bytes().length]).toEqual([
      'm',
      null,
      'c',
      'h',
      0,
      0,
    ])
    expect([r.int32(), r.remaining]).toEqual([-2147483648, 0])
  })
})
