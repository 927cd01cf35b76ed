import type { Reader } from '../protocol/reader.js'
import type { Writer } from '../protocol/writer.js'
import type { ApiCodec } from './codec.js'

export interface OffsetCommitPartition {
  index: number
  offset: number
  metadata: string | null
}

export interface OffsetCommitRequest {
  groupId: string
  /** -1 for commits from outside group management (admin tools, simple consumers) */
  generationId: number
  memberId: string
  topics: Array<{ name: string; partitions: OffsetCommitPartition[] }>
}

export interface PartitionErrors {
  topics: Array<{ name: string; partitions: Array<{ index: number; errorCode: number }> }>
}

/** OffsetCommit v0-v7. Retention times (v2-v4) are ignored: committed offsets never expire. */
export const offsetCommit: ApiCodec<OffsetCommitRequest, PartitionErrors> = {
  key: 8,
  name: 'OffsetCommit',
  minVersion: 0,
  maxVersion: 7,
  parseRequest(r: Reader, version: number): OffsetCommitRequest {
    const groupId = r.string()
    const generationId = version >= 1 ? r.int32() : -1
    const memberId = version >= 1 ? r.string() : ''
    if (version >= 7) r.nullableString() // group_instance_id
    if (version >= 2 && version <= 4) r.int64() // retention_time_ms
    const topics = r.array((r) => ({
      name: r.string(),
      partitions: r.array((r) => {
        const index = r.int32()
        const offset = r.int64()
        if (version >= 6) r.int32() // committed_leader_epoch: one leader, epoch 0
        if (version === 1) r.int64() // commit_timestamp
        return { index, offset, metadata: r.nullableString() }
      }),
    }))
    return { groupId, generationId, memberId, topics }
  },
  encodeResponse(w: Writer, version: number, response: PartitionErrors): void {
    if (version >= 3) w.int32(0)
    w.array(response.topics, (w, t) => {
      w.string(t.name)
      w.array(t.partitions, (w, p) => {
        w.int32(p.index).int16(p.errorCode)
      })
    })
  },
  errorResponse: () => ({ topics: [] }),
}

export interface OffsetFetchRequest {
  groupId: string
  /** null = every topic with a committed offset (v2+) */
  topics: Array<{ name: string; partitions: number[] }> | null
}

export interface OffsetFetchPartition {
  index: number
  offset: number
  metadata: string | null
  errorCode: number
}

export interface OffsetFetchResponse {
  errorCode: number
  topics: Array<{ name: string; partitions: OffsetFetchPartition[] }>
}

/** OffsetFetch v0-v5 (v0 read ZooKeeper-stored offsets in old Kafka; here it is the same store). */
export const offsetFetch: ApiCodec<OffsetFetchRequest, OffsetFetchResponse> = {
  key: 9,
  name: 'OffsetFetch',
  minVersion: 0,
  maxVersion: 5,
  parseRequest(r: Reader): OffsetFetchRequest {
    return {
      groupId: r.string(),
      topics: r.nullableArray((r) => ({ name: r.string(), partitions: r.array((r) => r.int32()) })),
    }
  },
  encodeResponse(w: Writer, version: number, response: OffsetFetchResponse): void {
    if (version >= 3) w.int32(0)
    w.array(response.topics, (w, t) => {
      w.string(t.name)
      w.array(t.partitions, (w, p) => {
        w.int32(p.index).int64(p.offset)
        if (version >= 5) w.int32(-1)
        w.nullableString(p.metadata).int16(p.errorCode)
      })
    })
    if (version >= 2) w.int16(response.errorCode)
  },
  errorResponse: (errorCode) => ({ errorCode, topics: [] }),
}
