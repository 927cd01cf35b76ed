import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { PartitionLog } from '../../../src/broker/log.js'
import { Compression, readBatchHeader } from '../../../src/broker/protocol/record-batch.js'
import { encodeBatch, type TestRecord } from './support/batches.js'

const logger = pino({ enabled: false })

function append(log: PartitionLog, records: TestRecord[], options: Parameters<typeof encodeBatch>[1] = {}): number {
  const batch = encodeBatch(records, options)
  return log.append(batch, readBatchHeader(batch))
}

const baseOffsets = (batches: Buffer[]) => batches.map((b) => readBatchHeader(b).baseOffset)

describe('PartitionLog (in memory)', () => {
  it('assigns consecutive offsets per record and stamps them into the stored batch', () => {
    const log = new PartitionLog(null, logger)
    expect(append(log, [{ value: 'a' }, { value: 'b' }])).toBe(0)
    expect(append(log, [{ value: 'c' }])).toBe(2)
    expect(log.highWatermark).toBe(3)
    expect(log.logStartOffset).toBe(0)
    expect(baseOffsets(log.read(0, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY))).toEqual([0, 2])
  })

  it('reads from the batch that holds the offset, within the byte limits, but always one whole batch first', () => {
    const log = new PartitionLog(null, logger)
    for (let i = 0; i < 5; i++) append(log, [{ value: `v${i}-a` }, { value: `v${i}-b` }])
    const size = log.read(0, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)[0]!.length
    expect(baseOffsets(log.read(3, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY))).toEqual([2, 4, 6, 8])
    expect(baseOffsets(log.read(3, size * 2, Number.POSITIVE_INFINITY))).toEqual([2, 4])
    // A first batch bigger than the limit is still returned (KIP-74), unless the caller forbids it.
    expect(baseOffsets(log.read(0, 1, Number.POSITIVE_INFINITY))).toEqual([0])
    expect(log.read(0, 1, 1)).toEqual([])
    expect(log.read(10, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)).toEqual([])
  })

  it('finds the first offset at or after a timestamp, inside a batch when it can open it', () => {
    const log = new PartitionLog(null, logger)
    append(
      log,
      [
        { value: 'a', timestamp: 1000 },
        { value: 'b', timestamp: 2000 },
      ],
      { baseTimestamp: 1000 },
    )
    append(
      log,
      [
        { value: 'c', timestamp: 3000 },
        { value: 'd', timestamp: 4000 },
      ],
      { baseTimestamp: 3000, gzip: true },
    )
    expect(log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: 1000 })
    expect(log.offsetForTimestamp(1500)).toEqual({ offset: 1, timestamp: 2000 })
    expect(log.offsetForTimestamp(3500)).toEqual({ offset: 3, timestamp: 4000 })
    expect(log.offsetForTimestamp(4001)).toBeNull()
  })

  it('falls back to the batch base offset for codecs it cannot open', () => {
    const log = new PartitionLog(null, logger)
    append(
      log,
      [
        { value: 'a', timestamp: 1000 },
        { value: 'b', timestamp: 2000 },
      ],
      {
        baseTimestamp: 1000,
        codecBits: Compression.LZ4,
      },
    )
    expect(log.offsetForTimestamp(1500)).toEqual({ offset: 0, timestamp: 2000 })
  })

  it('notifies append listeners until they unsubscribe, and once more on close', () => {
    const log = new PartitionLog(null, logger)
    let calls = 0
    const unsubscribe = log.onAppend(() => calls++)
    append(log, [{ value: 'a' }])
    unsubscribe()
    append(log, [{ value: 'b' }])
    expect(calls).toBe(1)
    log.onAppend(() => calls++)
    log.close()
    expect(calls).toBe(2)
  })
})
