import { describe, expect, it } from 'vitest'
import { produce } from '../../../../src/broker/apis/produce.js'
import { crc32c } from '../../../../src/broker/protocol/crc32c.js'
import {
  assignBaseOffset,
  batchCrcValid,
  Compression,
  compressionOf,
  decodeRecords,
  readBatchHeader,
  splitBatches,
  validateBatch,
} from '../../../../src/broker/protocol/record-batch.js'
import { ProtocolError, UnsupportedError } from '../../../../src/errors.js'
import { encodeBatch } from '../support/batches.js'
import { capturedRequest, KAFKAJS, LIBRDKAFKA } from '../support/fixtures.js'

const MAX = 1 << 20

/** The single batch of a captured Produce request. */
function producedBatch(client: string, name: string): Buffer {
  const { body, version } = capturedRequest(client, name)
  const request = produce.parseRequest(body, version)
  const records = request.topics[0]!.partitions[0]!.records!
  const batches = splitBatches(records)
  expect(batches).toHaveLength(1)
  return batches[0]!
}

const text = (b: Buffer | null) => (b === null ? null : b.toString('utf8'))
const headers = (h: Array<{ key: string; value: Buffer | null }>) => h.map(({ key, value }) => [key, text(value)])

describe('record batch v2', () => {
  it('decodes a gzip batch produced by kafkajs, with keys, a null key and headers', () => {
    const batch = producedBatch(KAFKAJS, 'Produce v7 gzip')
    const header = validateBatch(batch, MAX)
    expect(compressionOf(header.attributes)).toBe(Compression.GZIP)
    expect(header).toMatchObject({ magic: 2, recordCount: 2, lastOffsetDelta: 1, producerId: -1 })
    const records = decodeRecords(batch)
    expect(records.map((r) => [text(r.key), text(r.value), headers(r.headers), r.offsetDelta])).toEqual([
      ['a', 'gzip-value-1', [['hk', 'hv']], 0],
      [null, 'gzip-value-2', [], 1],
    ])
  })

  it('decodes a gzip batch produced by librdkafka', () => {
    const batch = producedBatch(LIBRDKAFKA, 'Produce v7 gzip')
    const header = validateBatch(batch, MAX)
    expect(compressionOf(header.attributes)).toBe(Compression.GZIP)
    const [record] = decodeRecords(batch)
    expect([text(record!.key), text(record!.value), headers(record!.headers)]).toEqual([
      'key1',
      'value1-'.repeat(30),
      [['h1', 'v1']],
    ])
  })

  it('decodes an uncompressed batch produced by librdkafka', () => {
    const batch = producedBatch(LIBRDKAFKA, 'Produce v7')
    expect(compressionOf(validateBatch(batch, MAX).attributes)).toBe(Compression.NONE)
    const [record] = decodeRecords(batch)
    expect([text(record!.key), text(record!.value), headers(record!.headers)]).toEqual([
      'key2',
      'value2',
      [['h2', 'v2']],
    ])
  })

  it('reads the idempotence fields of a kafkajs idempotent batch', () => {
    const first = readBatchHeader(producedBatch(KAFKAJS, 'Produce v7 idempotent seq 0'))
    const second = readBatchHeader(producedBatch(KAFKAJS, 'Produce v7 idempotent seq 1'))
    expect(first.producerId).toBeGreaterThanOrEqual(0)
    expect([first.producerEpoch, first.baseSequence, second.baseSequence]).toEqual([0, 0, 1])
    expect(second.producerId).toBe(first.producerId)
  })

  it('round-trips the independent test encoder, gzip included', () => {
    for (const gzip of [false, true]) {
      const batch = encodeBatch(
        [{ key: 'k', value: 'v', headers: { a: 'b' }, timestamp: 1_700_000_000_005 }, { value: null }],
        { gzip, baseTimestamp: 1_700_000_000_000 },
      )
      const header = validateBatch(batch, MAX)
      expect(header.maxTimestamp).toBe(1_700_000_000_005)
      const records = decodeRecords(batch)
      expect(records.map((r) => [text(r.key), text(r.value), r.timestampDelta])).toEqual([
        ['k', 'v', 5],
        [null, null, 0],
      ])
    }
  })

  it('rewrites the base offset and leader epoch without invalidating the CRC', () => {
    const batch = Buffer.from(producedBatch(LIBRDKAFKA, 'Produce v7'))
    assignBaseOffset(batch, 123_456, 0)
    expect(readBatchHeader(batch)).toMatchObject({ baseOffset: 123_456, partitionLeaderEpoch: 0 })
    expect(batchCrcValid(batch)).toBe(true)
  })

  it('rejects a batch whose bytes changed after the producer checksummed them', () => {
    const batch = Buffer.from(producedBatch(KAFKAJS, 'Produce v7 gzip'))
    batch[batch.length - 3]! ^= 0xff
    expect(() => validateBatch(batch, MAX)).toThrow(/CRC mismatch/)
  })

  it('rejects a header whose record count does not match the records', () => {
    const batch = encodeBatch([{ value: 'a' }, { value: 'b' }])
    batch.writeInt32BE(0, 23) // lastOffsetDelta
    batch.writeInt32BE(1, 57) // records count
    batch.writeUInt32BE(crc32c(batch, 21), 17)
    expect(() => validateBatch(batch, MAX)).toThrow(/bytes after the last record/)
  })

  it('splits several batches and refuses a truncated one', () => {
    const a = encodeBatch([{ value: 'a' }])
    const b = encodeBatch([{ value: 'b' }, { value: 'c' }])
    expect(splitBatches(Buffer.concat([a, b])).map((x) => x.length)).toEqual([a.length, b.length])
    expect(() => splitBatches(Buffer.concat([a, b.subarray(0, b.length - 1)]))).toThrow(ProtocolError)
    expect(() => splitBatches(Buffer.concat([a, b.subarray(0, 10)]))).toThrow(/truncated/)
  })

  it('refuses the pre-0.11 message formats', () => {
    const batch = encodeBatch([{ value: 'a' }])
    batch.writeInt8(1, 16)
    expect(() => splitBatches(batch)).toThrow(UnsupportedError)
  })

  it('accepts snappy/lz4/zstd batches unopened but cannot decode them', () => {
    const batch = encodeBatch([{ value: 'opaque' }], { codecBits: Compression.ZSTD })
    expect(compressionOf(validateBatch(batch, MAX).attributes)).toBe(Compression.ZSTD)
    expect(() => decodeRecords(batch)).toThrow(/zstd compression/)
  })

  it('bounds gzip decompression', () => {
    const batch = encodeBatch([{ value: 'x'.repeat(10_000) }], { gzip: true })
    expect(() => validateBatch(batch, 1000)).toThrow(/does not decompress/)
  })
})
