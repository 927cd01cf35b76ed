import type { Reader } from '../protocol/reader.js'
import type { Writer } from '../protocol/writer.js'
import type { ApiCodec } from './codec.js'

export interface ApiVersionsRequest {
  clientSoftwareName: string | null
  clientSoftwareVersion: string | null
}

export interface ApiVersionRange {
  apiKey: number
  minVersion: number
  maxVersion: number
}

export interface ApiVersionsResponse {
  errorCode: number
  apiKeys: ApiVersionRange[]
}

/**
 * ApiVersions v0-v3. v3 is flexible (KIP-511: librdkafka opens with it) but its response header
 * stays v0, which is why the server never adds header tagged fields to this API.
 */
export const apiVersions: ApiCodec<ApiVersionsRequest, ApiVersionsResponse> = {
  key: 18,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 3,
  flexibleVersion: 3,
  parseRequest(r: Reader, version: number): ApiVersionsRequest {
    if (version < 3) return { clientSoftwareName: null, clientSoftwareVersion: null }
    const request = { clientSoftwareName: r.compactString(), clientSoftwareVersion: r.compactString() }
    r.skipTaggedFields()
    return request
  },
  encodeResponse(w: Writer, version: number, response: ApiVersionsResponse): void {
    w.int16(response.errorCode)
    if (version >= 3) {
      w.compactArray(response.apiKeys, (w, k) => {
        w.int16(k.apiKey).int16(k.minVersion).int16(k.maxVersion).emptyTaggedFields()
      })
      w.int32(0).emptyTaggedFields()
      return
    }
    w.array(response.apiKeys, (w, k) => {
      w.int16(k.apiKey).int16(k.minVersion).int16(k.maxVersion)
    })
    if (version >= 1) w.int32(0)
  },
  errorResponse: (errorCode) => ({ errorCode, apiKeys: [] }),
}
