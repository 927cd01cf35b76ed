import { readFileSync } from 'node:fs'
import { Reader } from '../../../../src/broker/protocol/reader.js'

type Fixtures = Record<string, Record<string, string>>
const fixtures = JSON.parse(
  readFileSync(new URL('../fixtures/client-requests.json', import.meta.url), 'utf8'),
) as Fixtures

export const KAFKAJS = 'kafkajs-2.2.4'
export const LIBRDKAFKA = 'librdkafka-2.0.2 (kcat 1.7.1)'

export interface CapturedRequest {
  apiKey: number
  version: number
  clientId: string | null
  /** Positioned at the request body. */
  body: Reader
}

/** A request frame a real client sent, with its header read (header v2 when `flexible`). */
export function capturedRequest(client: string, name: string, flexible = false): CapturedRequest {
  const hex = fixtures[client]?.[name]
  if (hex === undefined) throw new Error(`no fixture "${name}" for ${client}`)
  const r = new Reader(Buffer.from(hex, 'hex'))
  const apiKey = r.int16()
  const version = r.int16()
  r.int32()
  const clientId = r.nullableString()
  if (flexible) r.skipTaggedFields()
  return { apiKey, version, clientId, body: r }
}
