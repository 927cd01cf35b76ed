import type { Reader } from '../protocol/reader.js'
import type { Writer } from '../protocol/writer.js'
import type { ApiCodec } from './codec.js'

export interface ProduceRequest {
  transactionalId: string | null
  acks: number
  timeoutMs: number
  topics: Array<{ name: string; partitions: Array<{ index: number; records: Buffer | null }> }>
}

export interface ProducePartitionResponse {
  index: number
  errorCode: number
  baseOffset: number
  logStartOffset: number
  errorMessage: string | null
}

export interface ProduceResponse {
  topics: Array<{ name: string; partitions: ProducePartitionResponse[] }>
}

/** Produce v3-v8: v3 is the first with record batch v2 (magic 2), the only format Ferry stores. */
export const produce: ApiCodec<ProduceRequest, ProduceResponse> = {
  key: 0,
  name: 'Produce',
  minVersion: 3,
  maxVersion: 8,
  parseRequest(r: Reader): ProduceRequest {
    return {
      transactionalId: r.nullableString(),
      acks: r.int16(),
      timeoutMs: r.int32(),
      topics: r.array((r) => ({
        name: r.string(),
        partitions: r.array((r) => ({ index: r.int32(), records: r.nullableBytes() })),
      })),
    }
  },
  encodeResponse(w: Writer, version: number, response: ProduceResponse): void {
    w.array(response.topics, (w, t) => {
      w.string(t.name)
      w.array(t.partitions, (w, p) => {
        // log_append_time is -1: topics use CreateTime.
        w.int32(p.index).int16(p.errorCode).int64(p.baseOffset).int64(-1)
        if (version >= 5) w.int64(p.logStartOffset)
        if (version >= 8) w.int32(0).nullableString(p.errorMessage)
      })
    })
    w.int32(0)
  },
  errorResponse: () => ({ topics: [] }),
}
