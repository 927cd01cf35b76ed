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
import { createTopics } from '../../../../src/broker/apis/topics.js'
import { capturedRequest, KAFKAJS, LIBRDKAFKA } from '../support/fixtures.js'

/** Parses a captured frame with `codec`, checking the key, the version range and that no byte is left over. */
function parse<Req>(codec: ApiCodec<Req, unknown>, client: string, name: string): Req {
  const frame = capturedRequest(
    client,
    name,
    codec.flexibleVersion !== undefined && name.endsWith(`v${codec.flexibleVersion}`),
  )
  expect(frame.apiKey).toBe(codec.key)
  expect(frame.version).toBeGreaterThanOrEqual(codec.minVersion)
  expect(frame.version).toBeLessThanOrEqual(codec.maxVersion)
  const request = codec.parseRequest(frame.body, frame.version)
  expect(frame.body.remaining).toBe(0)
  return request
}

describe('request parsing against frames captured from librdkafka 2.0.2', () => {
  it('ApiVersions v3 (flexible, KIP-511)', () => {
    expect(parse(apiVersions, LIBRDKAFKA, 'ApiVersions v3')).toEqual({
      clientSoftwareName: 'librdkafka',
      clientSoftwareVersion: '2.0.2',
    })
  })

  it('Metadata v4 for one topic', () => {
    expect(parse(metadata, LIBRDKAFKA, 'Metadata v4')).toEqual({ topics: ['cap1'], allowAutoTopicCreation: true })
  })

  it('Produce v7 with acks=-1 and a gzip batch', () => {
    const request = parse(produce, LIBRDKAFKA, 'Produce v7 gzip')
    expect(request).toMatchObject({ transactionalId: null, acks: -1 })
    expect(request.topics.map((t) => [t.name, t.partitions.map((p) => p.index)])).toEqual([['cap1', [0]]])
  })

  it('group membership: FindCoordinator v2, JoinGroup v5, SyncGroup v3, Heartbeat v3, LeaveGroup v1', () => {
    expect(parse(findCoordinator, LIBRDKAFKA, 'FindCoordinator v2')).toEqual({ key: 'capg', keyType: 0 })
    const join = parse(joinGroup, LIBRDKAFKA, 'JoinGroup v5')
    expect(join).toMatchObject({ groupId: 'capg', memberId: '', protocolType: 'consumer', groupInstanceId: null })
    expect(join.protocols.map((p) => p.name)).toEqual(['range', 'roundrobin'])
    expect(join.sessionTimeoutMs).toBe(45_000)
    const sync = parse(syncGroup, LIBRDKAFKA, 'SyncGroup v3')
    expect(sync.assignments.map((a) => a.memberId)).toEqual([sync.memberId])
    expect(parse(heartbeat, LIBRDKAFKA, 'Heartbeat v3')).toMatchObject({ groupId: 'capg', memberId: sync.memberId })
    expect(parse(leaveGroup, LIBRDKAFKA, 'LeaveGroup v1')).toEqual({ groupId: 'capg', memberIds: [sync.memberId] })
  })

  it('offsets: OffsetFetch v5, ListOffsets v2, OffsetCommit v7', () => {
    expect(parse(offsetFetch, LIBRDKAFKA, 'OffsetFetch v5')).toEqual({
      groupId: 'capg',
      topics: [{ name: 'cap1', partitions: [0] }],
    })
    // librdkafka defaults to isolation.level=read_committed and asks for the earliest offset (-2).
    expect(parse(listOffsets, LIBRDKAFKA, 'ListOffsets v2')).toEqual({
      isolationLevel: 1,
      topics: [{ name: 'cap1', partitions: [{ index: 0, timestamp: -2 }] }],
    })
    const commit = parse(offsetCommit, LIBRDKAFKA, 'OffsetCommit v7')
    expect(commit.topics).toEqual([{ name: 'cap1', partitions: [{ index: 0, offset: 2, metadata: '' }] }])
  })

  it('Fetch v11 without a fetch session', () => {
    const request = parse(fetch, LIBRDKAFKA, 'Fetch v11')
    expect(request).toMatchObject({ sessionId: 0, sessionEpoch: -1 })
    expect(request.topics).toEqual([
      { name: 'cap1', partitions: [{ index: 0, fetchOffset: 0, partitionMaxBytes: 1048576 }] },
    ])
  })
})

describe('request parsing against frames captured from kafkajs 2.2.4', () => {
  it('ApiVersions v2, Metadata v6, CreateTopics v3', () => {
    expect(parse(apiVersions, KAFKAJS, 'ApiVersions v2')).toEqual({
      clientSoftwareName: null,
      clientSoftwareVersion: null,
    })
    // The admin client's first metadata request: every topic, never auto-create.
    expect(parse(metadata, KAFKAJS, 'Metadata v6')).toEqual({ topics: null, allowAutoTopicCreation: false })
    expect(parse(createTopics, KAFKAJS, 'CreateTopics v3')).toEqual({
      topics: [{ name: 't1', numPartitions: 2, replicationFactor: -1, assignments: [] }],
      validateOnly: false,
    })
  })

  it('InitProducerId v1 and idempotent Produce v7', () => {
    expect(parse(initProducerId, KAFKAJS, 'InitProducerId v1')).toMatchObject({ transactionalId: null })
    expect(parse(produce, KAFKAJS, 'Produce v7 idempotent seq 0')).toMatchObject({ acks: -1, transactionalId: null })
  })

  it('consumer group flow: JoinGroup v5, SyncGroup v3, OffsetCommit v5, OffsetFetch v4, LeaveGroup v3', () => {
    const join = parse(joinGroup, KAFKAJS, 'JoinGroup v5')
    expect(join).toMatchObject({ groupId: 'g1', protocolType: 'consumer', sessionTimeoutMs: 30_000 })
    expect(join.protocols.map((p) => p.name)).toEqual(['RoundRobinAssigner'])
    expect(parse(syncGroup, KAFKAJS, 'SyncGroup v3').groupId).toBe('g1')
    const commit = parse(offsetCommit, KAFKAJS, 'OffsetCommit v5')
    expect(commit.topics[0]!.name).toBe('t1')
    expect(parse(offsetFetch, KAFKAJS, 'OffsetFetch v4').groupId).toBe('g1')
    expect(parse(leaveGroup, KAFKAJS, 'LeaveGroup v3').memberIds).toHaveLength(1)
  })

  it('Fetch v11, ListOffsets v3, FindCoordinator v2', () => {
    expect(parse(fetch, KAFKAJS, 'Fetch v11')).toMatchObject({ isolationLevel: 1, sessionId: 0, sessionEpoch: -1 })
    expect(parse(listOffsets, KAFKAJS, 'ListOffsets v3').isolationLevel).toBe(1)
    expect(parse(findCoordinator, KAFKAJS, 'FindCoordinator v2').keyType).toBe(0)
  })

  it('admin: DescribeGroups v2, ListGroups v2, DeleteGroups v1', () => {
    expect(parse(describeGroups, KAFKAJS, 'DescribeGroups v2')).toEqual({ groupIds: ['g1'] })
    expect(parse(listGroups, KAFKAJS, 'ListGroups v2')).toEqual({})
    expect(parse(deleteGroups, KAFKAJS, 'DeleteGroups v1')).toEqual({ groupIds: ['g1'] })
  })
})
