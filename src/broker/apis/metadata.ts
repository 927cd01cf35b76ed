import type { Reader } from '../protocol/reader.js'
import type { Writer } from '../protocol/writer.js'
import type { ApiCodec } from './codec.js'

export interface MetadataRequest {
  /** null = every topic */
  topics: string[] | null
  allowAutoTopicCreation: boolean
}

export interface BrokerNode {
  nodeId: number
  host: string
  port: number
}

export interface PartitionMetadata {
  errorCode: number
  partitionIndex: number
  leaderId: number
  replicaNodes: number[]
  isrNodes: number[]
}

export interface TopicMetadata {
  errorCode: number
  name: string
  partitions: PartitionMetadata[]
}

export interface MetadataResponse {
  brokers: BrokerNode[]
  clusterId: string | null
  controllerId: number
  topics: TopicMetadata[]
}

/**
 * Metadata v0-v6. v7 would add leader epochs, which make librdkafka validate offsets with
 * OffsetForLeaderEpoch, an API Ferry does not serve.
 */
export const metadata: ApiCodec<MetadataRequest, MetadataResponse> = {
  key: 3,
  name: 'Metadata',
  minVersion: 0,
  maxVersion: 6,
  parseRequest(r: Reader, version: number): MetadataRequest {
    const topics = r.nullableArray((r) => r.string())
    return {
      // v0 has no null: an empty list means every topic.
      topics: version === 0 && topics?.length === 0 ? null : topics,
      allowAutoTopicCreation: version >= 4 ? r.boolean() : true,
    }
  },
  encodeResponse(w: Writer, version: number, response: MetadataResponse): void {
    if (version >= 3) w.int32(0)
    w.array(response.brokers, (w, b) => {
      w.int32(b.nodeId).string(b.host).int32(b.port)
      if (version >= 1) w.nullableString(null)
    })
    if (version >= 2) w.nullableString(response.clusterId)
    if (version >= 1) w.int32(response.controllerId)
    w.array(response.topics, (w, t) => {
      w.int16(t.errorCode).string(t.name)
      if (version >= 1) w.boolean(false)
      w.array(t.partitions, (w, p) => {
        w.int16(p.errorCode).int32(p.partitionIndex).int32(p.leaderId)
        w.array(p.replicaNodes, (w, n) => w.int32(n))
        w.array(p.isrNodes, (w, n) => w.int32(n))
        if (version >= 5) w.int32(0)
      })
    })
  },
  errorResponse: () => ({ brokers: [], clusterId: null, controllerId: -1, topics: [] }),
}
