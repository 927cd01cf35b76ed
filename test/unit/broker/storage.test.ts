import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino } from 'pino'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { OffsetStore } from '../../../src/broker/group-offsets.js'
import { PartitionLog } from '../../../src/broker/log.js'
import { decodeRecords, readBatchHeader } from '../../../src/broker/protocol/record-batch.js'
import { DataDir } from '../../../src/broker/storage.js'
import { FerryError } from '../../../src/errors.js'
import type { Logger } from '../../../src/ops/logger.js'
import { encodeBatch } from './support/batches.js'

let root: string
let warnings: Array<Record<string, unknown>>
let logger: Logger

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ferry-broker-storage-'))
  warnings = []
  logger = pino({ level: 'warn' }, { write: (line: string) => warnings.push(JSON.parse(line)) })
})

afterEach(() => {
  rmSync(root, { recursive: true, force: true })
})

const values = (log: PartitionLog) =>
  log
    .read(0, Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY)
    .flatMap((batch) => decodeRecords(batch).map((r) => r.value?.toString()))

function appendValues(log: PartitionLog, values: string[], options: Parameters<typeof encodeBatch>[1] = {}): number {
  const batch = encodeBatch(
    values.map((value) => ({ value })),
    options,
  )
  return log.append(batch, readBatchHeader(batch))
}

/** Opens partition 0 of topic t in a fresh DataDir on `root` (the previous one must be unlocked). */
function openLog(): { dir: DataDir; log: PartitionLog } {
  const dir = new DataDir(root, logger)
  if (dir.topics().length === 0) dir.createTopic('t', 1)
  return { dir, log: new PartitionLog(dir.openPartition('t', 0), logger) }
}

function closeLog({ dir, log }: { dir: DataDir; log: PartitionLog }): void {
  log.close()
  dir.unlock()
}

const logFile = () => join(root, 'topics', 't', '0.log')

describe('partition log files', () => {
  it('recover every batch, offset and producer sequence after a restart', () => {
    const first = openLog()
    appendValues(first.log, ['a', 'b'])
    appendValues(first.log, ['c'], { producerId: 9, producerEpoch: 0, baseSequence: 0 })
    closeLog(first)

    const second = openLog()
    expect(second.log.highWatermark).toBe(3)
    expect(values(second.log)).toEqual(['a', 'b', 'c'])
    // The retried batch of producer 9 is still recognised as a duplicate after the restart.
    const retry = encodeBatch([{ value: 'c' }], { producerId: 9, producerEpoch: 0, baseSequence: 0 })
    expect(second.log.producers.check(readBatchHeader(retry))).toEqual({ outcome: 'duplicate', baseOffset: 2 })
    expect(second.log.producers.maxProducerId()).toBe(9)
    expect(warnings).toEqual([])
    closeLog(second)
  })

  it('truncate a torn last write with a warning and keep appending after it', () => {
    const first = openLog()
    appendValues(first.log, ['a'])
    appendValues(first.log, ['b'])
    closeLog(first)
    const intact = statSync(logFile()).size
    // A crash in the middle of the third append: the entry header and half the batch made it.
    const torn = encodeBatch([{ value: 'lost' }])
    const header = Buffer.alloc(8)
    header.writeUInt32BE(torn.length, 0)
    appendFileSync(logFile(), Buffer.concat([header, torn.subarray(0, torn.length / 2)]))

    const second = openLog()
    expect(values(second.log)).toEqual(['a', 'b'])
    expect(statSync(logFile()).size).toBe(intact)
    expect(warnings).toEqual([expect.objectContaining({ msg: 'truncating torn or corrupt tail', validBytes: intact })])
    expect(appendValues(second.log, ['c'])).toBe(2)
    closeLog(second)

    const third = openLog()
    expect(values(third.log)).toEqual(['a', 'b', 'c'])
    closeLog(third)
  })

  it('truncate from the first entry whose checksum fails', () => {
    const first = openLog()
    appendValues(first.log, ['a'])
    const size = statSync(logFile()).size
    appendValues(first.log, ['b'])
    closeLog(first)
    const bytes = readFileSync(logFile())
    bytes[bytes.length - 2]! ^= 0xff // a flipped bit in the last record
    rmSync(logFile())
    appendFileSync(logFile(), bytes)

    const second = openLog()
    expect(values(second.log)).toEqual(['a'])
    expect(statSync(logFile()).size).toBe(size)
    expect(warnings).toHaveLength(1)
    closeLog(second)
  })

  it('treat a zero-filled tail (preallocated space after a crash) as torn', () => {
    const first = openLog()
    appendValues(first.log, ['a'])
    closeLog(first)
    const size = statSync(logFile()).size
    truncateSync(logFile(), size + 4096)
    const second = openLog()
    expect(values(second.log)).toEqual(['a'])
    expect(statSync(logFile()).size).toBe(size)
    closeLog(second)
  })
})

describe('data dir', () => {
  it('refuses a second broker while the first holds the lock', () => {
    const dir = new DataDir(root, logger)
    expect(() => new DataDir(root, logger)).toThrow(FerryError)
    dir.unlock()
    new DataDir(root, logger).unlock()
  })

  it('removes half-created topic directories (no topic.json) at start-up', () => {
    mkdirSync(join(root, 'topics', 'half'), { recursive: true })
    const dir = new DataDir(root, logger)
    dir.createTopic('whole', 3)
    expect(dir.topics()).toEqual([{ name: 'whole', partitions: 3 }])
    expect(existsSync(join(root, 'topics', 'half'))).toBe(false)
    dir.deleteTopic('whole')
    expect(dir.topics()).toEqual([])
    dir.unlock()
  })
})

describe('group offsets journal', () => {
  function reopen(): { dir: DataDir; store: OffsetStore } {
    const dir = new DataDir(root, logger)
    return { dir, store: new OffsetStore(dir, logger) }
  }
  function close({ dir, store }: { dir: DataDir; store: OffsetStore }) {
    store.close()
    dir.unlock()
  }
  const journal = () => join(root, 'group-offsets.journal')

  it('replays commits and deletions after a restart', () => {
    const first = reopen()
    first.store.commit('g1', 't', 0, 10, 'meta')
    first.store.commit('g1', 't', 0, 11, null)
    first.store.commit('g2', 't', 1, 5, null)
    first.store.commit('g3', 'gone', 0, 1, null)
    first.store.deleteGroup('g2')
    first.store.deleteTopic('gone')
    close(first)

    const second = reopen()
    expect(second.store.get('g1', 't', 0)).toEqual({ offset: 11, metadata: null })
    expect(second.store.has('g2')).toBe(false)
    expect(second.store.has('g3')).toBe(false)
    expect(second.store.groupIds()).toEqual(['g1'])
    close(second)
  })

  it('drops a torn journal tail with a warning', () => {
    const first = reopen()
    first.store.commit('g', 't', 0, 1, null)
    close(first)
    appendFileSync(journal(), Buffer.from([0, 0, 0, 40, 1, 2, 3, 4, 0x7b]))
    const second = reopen()
    expect(second.store.get('g', 't', 0)?.offset).toBe(1)
    expect(warnings).toHaveLength(1)
    second.store.commit('g', 't', 0, 2, null)
    close(second)
    const third = reopen()
    expect(third.store.get('g', 't', 0)?.offset).toBe(2)
    close(third)
  })

  it('compacts a journal of mostly superseded commits at start-up', () => {
    const first = reopen()
    for (let i = 0; i < 3000; i++) first.store.commit('g', 't', i % 3, i, null)
    close(first)
    const before = statSync(journal()).size
    const second = reopen()
    expect(statSync(journal()).size).toBeLessThan(before / 100)
    expect([0, 1, 2].map((p) => second.store.get('g', 't', p)?.offset)).toEqual([2997, 2998, 2999])
    close(second)
  })
})
