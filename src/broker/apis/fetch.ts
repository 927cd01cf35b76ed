import type { Reader } from '../protocol/reader.js'
import type { Writer } from '../protocol/writer.js'
import type { ApiCodec } from './codec.js'

export interface FetchPartitionRequest {
  index: number
  fetchOffset: number
  partitionMaxBytes: number
}

export interface FetchRequest {
  maxWaitMs: number
  minBytes: number
  maxBytes: number
  isolationLevel: number
  sessionId: number
  sessionEpoch: number
  topics: Array<{ name: string; partitions: FetchPartitionRequest[] }>
}

export interface FetchPartitionResponse {
  index: number
  errorCode: number
  highWatermark: number
  lastStableOffset: number
  logStartOffset: number
  /** Whole stored record batches, sent by reference. */
  records: Buffer[]
}

export interface FetchResponse {
  errorCode: number
  topics: Array<{ name: string; partitions: FetchPartitionResponse[] }>
}

/**
 * Fetch v4-v11 (v4 is the first that returns record batch v2 with a last stable offset).
 * Fetch sessions (KIP-227) are declined by answering session id 0, so every fetch is a full one.
 */
export const fetch: ApiCodec<FetchRequest, FetchResponse> = {
  key: 1,
  name: 'Fetch',
  minVersion: 4,
  maxVersion: 11,
  parseRequest(r: Reader, version: number): FetchRequest {
    r.int32() // replica_id: always a consumer (-1) here
    const request: FetchRequest = {
      maxWaitMs: r.int32(),
      minBytes: r.int32(),
      maxBytes: r.int32(),
      isolationLevel: r.int8(),
      sessionId: version >= 7 ? r.int32() : 0,
      sessionEpoch: version >= 7 ? r.int32() : -1,
      topics: r.array((r) => ({
        name: r.string(),
        partitions: r.array((r) => {
          const index = r.int32()
          if (version >= 9) r.int32() // current_leader_epoch: there is only ever one leader
          const fetchOffset = r.int64()
          if (version >= 5) r.int64() // log_start_offset: only followers send it
          return { index, fetchOffset, partitionMaxBytes: r.int32() }
        }),
      })),
    }
    if (version >= 7) r.array((r) => [r.string(), r.array((r) => r.int32())]) // forgotten topics: no sessions
    if (version >= 11) r.string() // rack_id: one broker, no rack awareness
    return request
  },
  encodeResponse(w: Writer, version: number, response: FetchResponse): void {
    w.int32(0)
    if (version >= 7) w.int16(response.errorCode).int32(0)
    w.array(response.topics, (w, t) => {
      w.string(t.name)
      w.array(t.partitions, (w, p) => {
        w.int32(p.index).int16(p.errorCode).int64(p.highWatermark).int64(p.lastStableOffset)
        if (version >= 5) w.int64(p.logStartOffset)
        w.int32(0) // aborted_transactions: none, Ferry has no transactions
        if (version >= 11) w.int32(-1)
        let size = 0
        for (const batch of p.records) size += batch.length
        w.int32(size)
        for (const batch of p.records) w.raw(batch)
      })
    })
  },
  errorResponse: (errorCode) => ({ errorCode, topics: [] }),
}
