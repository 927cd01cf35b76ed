import { UnsupportedError } from '../errors.js'
import type { Logger } from '../ops/logger.js'
import { ProducerStates } from './producer-state.js'
import {
  assignBaseOffset,
  BATCH_HEADER_SIZE,
  type BatchHeader,
  batchCrcValid,
  decodeRecords,
  readBatchHeader,
} from './protocol/record-batch.js'
import type { EntryFile } from './storage.js'

/** Ferry is the only replica and never changes leader, so every batch carries leader epoch 0. */
const LEADER_EPOCH = 0

interface LogEntry {
  baseOffset: number
  lastOffset: number
  maxTimestamp: number
  size: number
  /** Payload position in the partition file (persistent logs). */
  position: number
  /** The batch itself (in-memory logs). */
  data: Buffer | null
}

export interface TimestampOffset {
  offset: number
  timestamp: number
}

/**
 * One partition: an index of whole record batches, kept in memory, over either in-memory
 * buffers or an append-only file. There is no retention, so the log start offset is always 0,
 * and no transactions, so the last stable offset is the high watermark.
 */
export class PartitionLog {
  readonly producers = new ProducerStates()
  private readonly entries: LogEntry[] = []
  private nextOffset = 0
  private readonly listeners = new Set<() => void>()

  private readonly file: EntryFile | null

  /** With a file, the log is recovered from it (the logger reports a truncated tail). */
  constructor(file: EntryFile | null, logger: Logger) {
    this.file = file
    file?.recover(logger, (payload, position) => this.restore(payload, position))
  }

  get logStartOffset(): number {
    return 0
  }

  get highWatermark(): number {
    return this.nextOffset
  }

  private restore(batch: Buffer, position: number): boolean {
    if (batch.length < BATCH_HEADER_SIZE || !batchCrcValid(batch)) return false
    const header = readBatchHeader(batch)
    if (header.magic !== 2 || header.baseOffset !== this.nextOffset) return false
    this.index(header, batch.length, position, null)
    return true
  }

  /** Appends a validated batch (owned by the log from now on) and returns its base offset. */
  append(batch: Buffer, header: BatchHeader): number {
    const baseOffset = this.nextOffset
    assignBaseOffset(batch, baseOffset, LEADER_EPOCH)
    const position = this.file ? this.file.append(batch) : 0
    this.index({ ...header, baseOffset }, batch.length, position, this.file ? null : batch)
    for (const listener of this.listeners) listener()
    return baseOffset
  }

  private index(header: BatchHeader, size: number, position: number, data: Buffer | null): void {
    const lastOffset = header.baseOffset + header.lastOffsetDelta
    this.entries.push({
      baseOffset: header.baseOffset,
      lastOffset,
      maxTimestamp: header.maxTimestamp,
      size,
      position,
      data,
    })
    this.nextOffset = lastOffset + 1
    this.producers.record(header, header.baseOffset)
  }

  /**
   * Whole batches from the one holding `offset`. The first is returned if it is at most
   * `firstLimit` bytes, later ones while the total stays within `limit`.
   */
  read(offset: number, limit: number, firstLimit: number): Buffer[] {
    const picked: LogEntry[] = []
    let total = 0
    for (let i = this.entryFor(offset); i < this.entries.length; i++) {
      const entry = this.entries[i]!
      if (picked.length === 0 ? entry.size > firstLimit : total + entry.size > limit) break
      picked.push(entry)
      total += entry.size
    }
    return this.load(picked)
  }

  private load(entries: LogEntry[]): Buffer[] {
    const first = entries[0]
    const last = entries[entries.length - 1]
    if (!this.file || !first || !last) return entries.map((e) => e.data!)
    // Batches of one log are contiguous in its file: one read, then views per batch.
    const bytes = this.file.read(first.position, last.position + last.size - first.position)
    return entries.map((e) => bytes.subarray(e.position - first.position, e.position - first.position + e.size))
  }

  /** Index of the first entry whose last offset is >= offset (binary search). */
  private entryFor(offset: number): number {
    let lo = 0
    let hi = this.entries.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if (this.entries[mid]!.lastOffset < offset) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  /**
   * The earliest offset whose record timestamp is >= `timestamp`. Batches with a codec the broker
   * cannot open (snappy, lz4, zstd) answer with their base offset: never later than the exact answer.
   */
  offsetForTimestamp(timestamp: number): TimestampOffset | null {
    const entry = this.entries.find((e) => e.maxTimestamp >= timestamp)
    if (!entry) return null
    const [batch] = this.load([entry])
    try {
      const header = readBatchHeader(batch!)
      for (const record of decodeRecords(batch!)) {
        const recordTimestamp = header.baseTimestamp + record.timestampDelta
        if (recordTimestamp >= timestamp) {
          return { offset: entry.baseOffset + record.offsetDelta, timestamp: recordTimestamp }
        }
      }
    } catch (err) {
      if (!(err instanceof UnsupportedError)) throw err
    }
    return { offset: entry.baseOffset, timestamp: entry.maxTimestamp }
  }

  /** Calls `listener` after every append until the returned function is called. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  close(): void {
    for (const listener of this.listeners) listener()
    this.listeners.clear()
    this.file?.close()
  }
}
