import { gunzipSync } from 'node:zlib'
import { ProtocolError, UnsupportedError } from '../../errors.js'
import { crc32c } from './crc32c.js'
import { Reader } from './reader.js'

/**
 * Kafka record batch v2 (magic 2), kafka.apache.org/documentation/#recordbatch. The broker keeps
 * batches exactly as produced: only baseOffset and partitionLeaderEpoch are rewritten at append,
 * and neither is covered by the batch CRC (which starts at `attributes`).
 */
export const BATCH_HEADER_SIZE = 61
/** baseOffset (8) + batchLength (4): the bytes not counted by batchLength. */
const BATCH_LOG_OVERHEAD = 12
const LEADER_EPOCH_AT = 12
const MAGIC_AT = 16
const CRC_AT = 17
export const CRC_START = 21

export const Compression = { NONE: 0, GZIP: 1, SNAPPY: 2, LZ4: 3, ZSTD: 4 } as const
const COMPRESSION_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

export interface BatchHeader {
  baseOffset: number
  batchLength: number
  partitionLeaderEpoch: number
  magic: number
  crc: number
  attributes: number
  lastOffsetDelta: number
  baseTimestamp: number
  maxTimestamp: number
  producerId: number
  producerEpoch: number
  baseSequence: number
  recordCount: number
}

export interface RecordHeader {
  key: string
  value: Buffer | null
}

export interface KafkaRecord {
  attributes: number
  timestampDelta: number
  offsetDelta: number
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

export function compressionOf(attributes: number): number {
  return attributes & 0x07
}

export function isTransactional(attributes: number): boolean {
  return (attributes & 0x10) !== 0
}

export function isControl(attributes: number): boolean {
  return (attributes & 0x20) !== 0
}

export function readBatchHeader(batch: Buffer): BatchHeader {
  const r = new Reader(batch)
  return {
    baseOffset: r.int64(),
    batchLength: r.int32(),
    partitionLeaderEpoch: r.int32(),
    magic: r.int8(),
    crc: r.uint32(),
    attributes: r.int16(),
    lastOffsetDelta: r.int32(),
    baseTimestamp: r.int64(),
    maxTimestamp: r.int64(),
    producerId: r.int64(),
    producerEpoch: r.int16(),
    baseSequence: r.int32(),
    recordCount: r.int32(),
  }
}

/** Splits a RECORDS field into whole batches (views, not copies). Rejects anything but magic 2. */
export function splitBatches(records: Buffer): Buffer[] {
  const batches: Buffer[] = []
  let at = 0
  while (at < records.length) {
    if (records.length - at < BATCH_LOG_OVERHEAD + 5) throw new ProtocolError('truncated record batch header')
    const size = BATCH_LOG_OVERHEAD + records.readInt32BE(at + 8)
    const magic = records.readInt8(at + MAGIC_AT)
    if (magic !== 2) throw new UnsupportedError(`message format magic ${magic}`)
    if (size < BATCH_HEADER_SIZE || at + size > records.length) {
      throw new ProtocolError(`record batch of ${size} bytes does not fit in ${records.length - at}`)
    }
    batches.push(records.subarray(at, at + size))
    at += size
  }
  return batches
}

export function batchCrcValid(batch: Buffer): boolean {
  return batch.readUInt32BE(CRC_AT) === crc32c(batch, CRC_START)
}

/**
 * Checks a produced batch: CRC, a sane header and, for codecs Node can read (none, gzip), that the
 * records match the header's count and offset deltas. Snappy, LZ4 and zstd batches are stored
 * unopened (the CRC still covers their bytes): consumers decompress, as with `compression.type=producer`.
 */
export function validateBatch(batch: Buffer, maxUncompressedBytes: number): BatchHeader {
  const header = readBatchHeader(batch)
  if (!batchCrcValid(batch)) throw new ProtocolError('record batch CRC mismatch')
  if (header.recordCount <= 0 || header.lastOffsetDelta !== header.recordCount - 1) {
    throw new ProtocolError(
      `record batch has ${header.recordCount} records but lastOffsetDelta ${header.lastOffsetDelta}`,
    )
  }
  const codec = compressionOf(header.attributes)
  if (codec > Compression.ZSTD) throw new ProtocolError(`unknown compression codec ${codec}`)
  if (codec === Compression.NONE || codec === Compression.GZIP) {
    const records = decodeRecords(batch, maxUncompressedBytes)
    records.forEach((record, index) => {
      if (record.offsetDelta !== index) throw new ProtocolError(`record ${index} has offsetDelta ${record.offsetDelta}`)
    })
  }
  return header
}

/** Decodes the records of a batch. Throws UnsupportedError for codecs other than none and gzip. */
export function decodeRecords(batch: Buffer, maxUncompressedBytes = 64 * 1024 * 1024): KafkaRecord[] {
  const header = readBatchHeader(batch)
  const codec = compressionOf(header.attributes)
  let data = batch.subarray(BATCH_HEADER_SIZE)
  if (codec === Compression.GZIP) {
    try {
      data = gunzipSync(data, { maxOutputLength: maxUncompressedBytes })
    } catch (err) {
      throw new ProtocolError('gzip record batch does not decompress', { cause: err })
    }
  } else if (codec !== Compression.NONE) {
    throw new UnsupportedError(`${COMPRESSION_NAMES[codec] ?? codec} compression`)
  }
  const r = new Reader(data)
  const records: KafkaRecord[] = []
  for (let i = 0; i < header.recordCount; i++) records.push(readRecord(r))
  if (r.remaining !== 0) throw new ProtocolError(`${r.remaining} bytes after the last record`)
  return records
}

function readRecord(r: Reader): KafkaRecord {
  const length = r.varint()
  const start = r.offset
  const record: KafkaRecord = {
    attributes: r.int8(),
    timestampDelta: r.varlong(),
    offsetDelta: r.varint(),
    key: readVarBytes(r),
    value: readVarBytes(r),
    headers: [],
  }
  const headerCount = r.varint()
  if (headerCount > r.remaining) throw new ProtocolError(`record claims ${headerCount} headers`)
  for (let i = 0; i < headerCount; i++) {
    const key = readVarBytes(r)
    if (key === null) throw new ProtocolError('record header with a null key')
    record.headers.push({ key: key.toString('utf8'), value: readVarBytes(r) })
  }
  if (r.offset - start !== length) throw new ProtocolError(`record length ${length} but ${r.offset - start} bytes read`)
  return record
}

function readVarBytes(r: Reader): Buffer | null {
  const size = r.varint()
  return size < 0 ? null : r.raw(size)
}

/** Stamps the broker-assigned base offset and leader epoch into a stored batch (outside the CRC). */
export function assignBaseOffset(batch: Buffer, baseOffset: number, leaderEpoch: number): void {
  batch.writeBigInt64BE(BigInt(baseOffset), 0)
  batch.writeInt32BE(leaderEpoch, LEADER_EPOCH_AT)
}
