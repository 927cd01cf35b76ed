import type { Reader } from '../protocol/reader.js'
import type { Writer } from '../protocol/writer.js'
import type { ApiCodec } from './codec.js'

export interface CreatableTopic {
  name: string
  /** -1 = broker default */
  numPartitions: number
  /** -1 = broker default */
  replicationFactor: number
  /** Manual replica assignment: one entry per partition, listing broker ids. */
  assignments: Array<{ partitionIndex: number; brokerIds: number[] }>
}

export interface CreateTopicsRequest {
  topics: CreatableTopic[]
  validateOnly: boolean
}

export interface TopicResult {
  name: string
  errorCode: number
  errorMessage: string | null
}

export interface CreateTopicsResponse {
  topics: TopicResult[]
}

/** CreateTopics v0-v4. Topic configs are read and ignored: Ferry has no per-topic settings. */
export const createTopics: ApiCodec<CreateTopicsRequest, CreateTopicsResponse> = {
  key: 19,
  name: 'CreateTopics',
  minVersion: 0,
  maxVersion: 4,
  parseRequest(r: Reader, version: number): CreateTopicsRequest {
    const topics = r.array((r) => {
      const topic: CreatableTopic = {
        name: r.string(),
        numPartitions: r.int32(),
        replicationFactor: r.int16(),
        assignments: r.array((r) => ({ partitionIndex: r.int32(), brokerIds: r.array((r) => r.int32()) })),
      }
      r.array((r) => [r.string(), r.nullableString()])
      return topic
    })
    r.int32() // timeout_ms: creation is immediate
    return { topics, validateOnly: version >= 1 ? r.boolean() : false }
  },
  encodeResponse(w: Writer, version: number, response: CreateTopicsResponse): void {
    if (version >= 2) w.int32(0)
    w.array(response.topics, (w, t) => {
      w.string(t.name).int16(t.errorCode)
      if (version >= 1) w.nullableString(t.errorMessage)
    })
  },
  errorResponse: () => ({ topics: [] }),
}

export interface DeleteTopicsRequest {
  names: string[]
}

export interface DeleteTopicsResponse {
  topics: Array<{ name: string; errorCode: number }>
}

/** DeleteTopics v0-v3. */
export const deleteTopics: ApiCodec<DeleteTopicsRequest, DeleteTopicsResponse> = {
  key: 20,
  name: 'DeleteTopics',
  minVersion: 0,
  maxVersion: 3,
  parseRequest(r: Reader): DeleteTopicsRequest {
    const names = r.array((r) => r.string())
    r.int32() // timeout_ms: deletion is immediate
    return { names }
  },
  encodeResponse(w: Writer, version: number, response: DeleteTopicsResponse): void {
    if (version >= 1) w.int32(0)
    w.array(response.topics, (w, t) => {
      w.string(t.name).int16(t.errorCode)
    })
  },
  errorResponse: () => ({ topics: [] }),
}
