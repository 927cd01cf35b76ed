import { gzipSync } from 'node:zlib'
import { crc32c } from '../../../../src/broker/protocol/crc32c.js'
import { Writer } from '../../../../src/broker/protocol/writer.js'

export interface TestRecord {
  key?: string | null
  value: string | null
  headers?: Record<string, string>
  timestamp?: number
}

export interface BatchOptions {
  baseOffset?: number
  baseTimestamp?: number
  gzip?: boolean
  /** Compression bits to claim in the attributes without compressing (for pass-through codecs). */
  codecBits?: number
  producerId?: number
  producerEpoch?: number
  baseSequence?: number
}

/** A minimal record batch v2 encoder for tests, written from the Kafka spec independently of the broker. */
export function encodeBatch(records: TestRecord[], options: BatchOptions = {}): Buffer {
  const baseTimestamp = options.baseTimestamp ?? 1_700_000_000_000
  const body = new Writer()
  records.forEach((record, i) => {
    const r = new Writer()
    r.int8(0)
      .varint((record.timestamp ?? baseTimestamp) - baseTimestamp)
      .varint(i)
    varBytes(r, record.key ?? null)
    varBytes(r, record.value)
    const headers = Object.entries(record.headers ?? {})
    r.varint(headers.length)
    for (const [k, v] of headers) {
      varBytes(r, k)
      varBytes(r, v)
    }
    const encoded = r.toBuffer()
    body.varint(encoded.length).raw(encoded)
  })
  let payload = body.toBuffer()
  if (options.gzip) payload = gzipSync(payload)
  const timestamps = records.map((r) => r.timestamp ?? baseTimestamp)
  const attributes = options.gzip ? 1 : (options.codecBits ?? 0)
  const afterCrc = new Writer()
    .int16(attributes)
    .int32(records.length - 1)
    .int64(baseTimestamp)
    .int64(Math.max(...timestamps))
    .int64(options.producerId ?? -1)
    .int16(options.producerEpoch ?? -1)
    .int32(options.baseSequence ?? -1)
    .int32(records.length)
    .raw(payload)
    .toBuffer()
  return new Writer()
    .int64(options.baseOffset ?? 0)
    .int32(4 + 1 + 4 + afterCrc.length)
    .int32(-1)
    .int8(2)
    .uint32(crc32c(afterCrc))
    .raw(afterCrc)
    .toBuffer()
}

function varBytes(w: Writer, value: string | null): void {
  if (value === null) {
    w.varint(-1)
    return
  }
  const bytes = Buffer.from(value)
  w.varint(bytes.length).raw(bytes)
}
