import type { Reader } from '../protocol/reader.js'
import type { Writer } from '../protocol/writer.js'
import type { ApiCodec } from './codec.js'

export const LATEST_TIMESTAMP = -1
export const EARLIEST_TIMESTAMP = -2

export interface ListOffsetsRequest {
  isolationLevel: number
  topics: Array<{ name: string; partitions: Array<{ index: number; timestamp: number }> }>
}

export interface ListOffsetsPartitionResponse {
  index: number
  errorCode: number
  timestamp: number
  offset: number
}

export interface ListOffsetsResponse {
  topics: Array<{ name: string; partitions: ListOffsetsPartitionResponse[] }>
}

/** ListOffsets v0-v5; v0 answers with a one-element offsets array instead of a single offset. */
export const listOffsets: ApiCodec<ListOffsetsRequest, ListOffsetsResponse> = {
  key: 2,
  name: 'ListOffsets',
  minVersion: 0,
  maxVersion: 5,
  parseRequest(r: Reader, version: number): ListOffsetsRequest {
    r.int32() // replica_id
    const isolationLevel = version >= 2 ? r.int8() : 0
    const topics = r.array((r) => ({
      name: r.string(),
      partitions: r.array((r) => {
        const index = r.int32()
        if (version >= 4) r.int32() // current_leader_epoch
        const timestamp = r.int64()
        if (version === 0) r.int32() // max_num_offsets: Ferry always answers with one
        return { index, timestamp }
      }),
    }))
    return { isolationLevel, topics }
  },
  encodeResponse(w: Writer, version: number, response: ListOffsetsResponse): void {
    if (version >= 2) w.int32(0)
    w.array(response.topics, (w, t) => {
      w.string(t.name)
      w.array(t.partitions, (w, p) => {
        w.int32(p.index).int16(p.errorCode)
        if (version === 0) {
          w.array(p.offset >= 0 ? [p.offset] : [], (w, o) => w.int64(o))
          return
        }
        w.int64(p.timestamp).int64(p.offset)
        if (version >= 4) w.int32(0)
      })
    })
  },
  errorResponse: () => ({ topics: [] }),
}
