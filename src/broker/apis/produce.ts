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

/**
 * Produce v0-v8. Only record batch v2 (magic 2) is stored; magic 0/1 message sets are refused
 * per partition with UNSUPPORTED_FOR_MESSAGE_FORMAT. v0-v2 are still advertised because
 * librdkafka <= 2.11 silently stops compressing gzip, snappy and lz4 unless the broker's
 * Produce range starts at 0 (rdkafka_msgset_writer.c checks Produce [0, 0] for those codecs).
 */
export const produce: ApiCodec<ProduceRequest, ProduceResponse> = {
  key: 0,
  name: 'Produce',
  minVersion: 0,
  maxVersion: 8,
  parseRequest(r: Reader, version: number): ProduceRequest {
    return {
      transactionalId: version >= 3 ? r.nullableString() : null,
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
        w.int32(p.index).int16(p.errorCode).int64(p.baseOffset)
        if (version >= 2) w.int64(-1) // log_append_time: topics use CreateTime
        if (version >= 5) w.int64(p.logStartOffset)
        if (version >= 8) w.int32(0).nullableString(p.errorMessage)
      })
    })
    if (version >= 1) w.int32(0)
  },
  errorResponse: () => ({ topics: [] }),
}
