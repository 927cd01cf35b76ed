import type { Reader } from '../protocol/reader.js'
import type { Writer } from '../protocol/writer.js'
import type { ApiCodec } from './codec.js'

export interface InitProducerIdRequest {
  transactionalId: string | null
  transactionTimeoutMs: number
}

export interface InitProducerIdResponse {
  errorCode: number
  producerId: number
  producerEpoch: number
}

/** InitProducerId v0-v1, for idempotent producers (transactional ids are refused). */
export const initProducerId: ApiCodec<InitProducerIdRequest, InitProducerIdResponse> = {
  key: 22,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 1,
  parseRequest(r: Reader): InitProducerIdRequest {
    return { transactionalId: r.nullableString(), transactionTimeoutMs: r.int32() }
  },
  encodeResponse(w: Writer, _version: number, response: InitProducerIdResponse): void {
    w.int32(0).int16(response.errorCode).int64(response.producerId).int16(response.producerEpoch)
  },
  errorResponse: (errorCode) => ({ errorCode, producerId: -1, producerEpoch: -1 }),
}
