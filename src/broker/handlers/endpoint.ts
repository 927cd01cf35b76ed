import type { ApiCodec } from '../apis/codec.js'
import type { BrokerCore } from '../broker.js'
import { ErrorCode } from '../protocol/error-codes.js'
import type { Reader } from '../protocol/reader.js'
import { Writer } from '../protocol/writer.js'

export interface ConnectionInfo {
  clientId: string
  /** As Kafka reports it in DescribeGroups: "/127.0.0.1" */
  clientHost: string
  /** Aborted when the connection closes or the broker stops; long polls end on it. */
  signal: AbortSignal
}

/** null = send no response (Produce with acks=0). */
export type Handler<Req, Res> = (
  request: Req,
  version: number,
  core: BrokerCore,
  connection: ConnectionInfo,
) => Res | null | Promise<Res | null>

export interface Endpoint {
  key: number
  name: string
  minVersion: number
  maxVersion: number
  flexibleVersion: number | undefined
  /** Parses, handles and encodes one request body; null when no response is due. */
  serve(r: Reader, version: number, core: BrokerCore, connection: ConnectionInfo): Promise<Writer | null>
}

/**
 * Pairs a pure codec with its handler. A body that does not parse gets INVALID_REQUEST and a
 * handler that throws gets UNKNOWN_SERVER_ERROR, both in a well-formed response: client input
 * never takes the broker or the connection down.
 */
export function endpoint<Req, Res>(codec: ApiCodec<Req, Res>, handle: Handler<Req, Res>): Endpoint {
  const encode = (version: number, response: Res) => {
    const w = new Writer()
    codec.encodeResponse(w, version, response)
    return w
  }
  return {
    key: codec.key,
    name: codec.name,
    minVersion: codec.minVersion,
    maxVersion: codec.maxVersion,
    flexibleVersion: codec.flexibleVersion,
    async serve(r, version, core, connection) {
      let request: Req
      try {
        request = codec.parseRequest(r, version)
      } catch (err) {
        core.logger.warn({ err, api: codec.name, version, clientId: connection.clientId }, 'unparseable request body')
        return encode(version, codec.errorResponse(ErrorCode.INVALID_REQUEST))
      }
      let response: Res | null
      try {
        response = await handle(request, version, core, connection)
      } catch (err) {
        core.logger.error({ err, api: codec.name, version }, 'request handler failed')
        response = codec.errorResponse(ErrorCode.UNKNOWN_SERVER_ERROR)
      }
      return response === null ? null : encode(version, response)
    },
  }
}
