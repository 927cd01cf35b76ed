import type { Reader } from '../protocol/reader.js'
import type { Writer } from '../protocol/writer.js'

/**
 * The pure half of one Kafka API: request parser and response encoder for the versions Ferry
 * implements. Handlers (src/broker/handlers) pair a codec with broker state.
 */
export interface ApiCodec<Req, Res> {
  key: number
  name: string
  minVersion: number
  maxVersion: number
  /** First version with KIP-482 flexible encoding (request header v2), when one is implemented. */
  flexibleVersion?: number
  parseRequest(r: Reader, version: number): Req
  encodeResponse(w: Writer, version: number, response: Res): void
  /** A well-formed response carrying `code` where the schema has room for it, for requests that cannot be served. */
  errorResponse(code: number): Res
}
