import type { Reader } from '../protocol/reader.js'
import type { Writer } from '../protocol/writer.js'
import type { ApiCodec } from './codec.js'

export const COORDINATOR_KEY_GROUP = 0

export interface FindCoordinatorRequest {
  key: string
  keyType: number
}

export interface FindCoordinatorResponse {
  errorCode: number
  errorMessage: string | null
  nodeId: number
  host: string
  port: number
}

/** FindCoordinator v0-v2 (v0 is GroupCoordinator: groups only). */
export const findCoordinator: ApiCodec<FindCoordinatorRequest, FindCoordinatorResponse> = {
  key: 10,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 2,
  parseRequest(r: Reader, version: number): FindCoordinatorRequest {
    return { key: r.string(), keyType: version >= 1 ? r.int8() : COORDINATOR_KEY_GROUP }
  },
  encodeResponse(w: Writer, version: number, response: FindCoordinatorResponse): void {
    if (version >= 1) w.int32(0)
    w.int16(response.errorCode)
    if (version >= 1) w.nullableString(response.errorMessage)
    w.int32(response.nodeId).string(response.host).int32(response.port)
  },
  errorResponse: (errorCode) => ({ errorCode, errorMessage: null, nodeId: -1, host: '', port: -1 }),
}
