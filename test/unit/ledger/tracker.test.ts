import { describe, expect, it } from 'vitest'
import type { FileResult, LedgerEntry, ObjectMessage } from '../../../src/core/messages.js'
import type { LedgerStore } from '../../../src/ledger/store.js'
import { LedgerTracker } from '../../../src/ledger/tracker.js'
import { ledgerKey } from '../../../src/ledger/transitions.js'
import { createLogger } from '../../../src/ops/logger.js'
import { sampleFileResult } from '../../support/file-result.js'

/** A store in memory: what was written, in order, and how often the ledger was read. */
function memoryStore(initial: LedgerEntry[] = []) {
  const records: LedgerEntry[] = [...initial]
  let loads = 0
  const store: LedgerStore = {
    async load() {
      loads++
      return new Map(records.map((e) => [ledgerKey(e), e]))
    },
    async write(entries) {
      records.push(...entries)
    },
  }
  return { store, records, loads: () => loads }
}

const logger = createLogger({ level: 'silent' })
const now = () => new Date('2026-11-24T00:05:00Z')

function message(runId: string, eTag = 'e1', extra: Partial<ObjectMessage> = {}): ObjectMessage {
  return {
    schema: 'ferry.object/v1',
    runId,
    traceId: 'c'.repeat(32),
    bucket: 'landing',
    key: 'orders/a.parquet',
    size: 10,
    eTag,
    eventTime: '2026-11-23T23:00:00.000Z',
    eventName: 'ObjectCreated:Put',
    enqueuedAt: '2026-11-24T00:01:00.000Z',
    ...extra,
  }
}

function resultFor(m: ObjectMessage): FileResult {
  return sampleFileResult({
    runId: m.runId,
    traceId: m.traceId,
    source: { bucket: m.bucket, key: m.key, uri: 's3://landing/orders/a.parquet', size: 10, eTag: m.eTag ?? '' },
    rowsIn: 3,
    rowsOut: 3,
    bytesOut: 9,
    durationsMs: { total: 5 },
    processedAt: '2026-11-24T00:02:00.000Z',
  })
}

const at = (offset: string) => ({ topic: 'ferry.objects', partition: 2, offset })

describe('LedgerTracker', () => {
  it('reads the ledger once, then builds every record from its own view', async () => {
    const { store, records, loads } = memoryStore()
    const ledger = new LedgerTracker(store, logger, now)
    const m = message('run-1')
    await ledger.received([m])
    await ledger.queued([m])
    expect(await ledger.begin(m, at('0'))).toBeUndefined()
    await ledger.finish(m, at('0'), resultFor(m))
    await ledger.qualified(resultFor(m), 'pass')
    expect(loads()).toBe(1)
    expect(records.map((r) => r.state)).toEqual(['received', 'queued', 'processing', 'written', 'qualified'])
    expect(records.at(-1)).toMatchObject({ enqueued: 1, attempts: 1, quality: 'pass', position: at('0') })
  })

  it('skips a duplicate notification of a written version and hands back the recorded result', async () => {
    const { store, records } = memoryStore()
    const first = new LedgerTracker(store, logger, now)
    const m = message('run-1')
    await first.begin(m, at('0'))
    await first.finish(m, at('0'), resultFor(m))

    // The next night, another process: the notification was sent again for the same content.
    const second = new LedgerTracker(store, logger, now)
    const dup = message('run-2')
    await second.queued([dup])
    const repeated = await second.begin(dup, at('7'))
    expect(repeated).toMatchObject({
      runId: 'run-2',
      status: 'written',
      rowsIn: 3,
      output: 'gs://lake/orders/a.parquet',
    })
    expect(records.at(-1)).toMatchObject({ state: 'written', skipped: 1, enqueued: 1, attempts: 1 })

    // New content (new eTag) is processed; so is a replay of the same content.
    expect(await second.begin(message('run-3', 'e2'), at('8'))).toBeUndefined()
    expect(await second.begin(message('replay-1', 'e1', { replay: true }), at('9'))).toBeUndefined()
    // and so is the old record again after an offset reset
    const third = new LedgerTracker(store, logger, now)
    expect(await third.begin(message('run-1'), at('0'))).toBeUndefined()
  })

  it('merges the verdict onto the entry the worker handed over in the result headers', async () => {
    const { store, records } = memoryStore()
    const quality = new LedgerTracker(store, logger, now)
    const unlucky = new LedgerTracker(store, logger, now)
    const version = { bucket: 'landing', key: 'orders/a.parquet', eTag: 'e1' }
    // both views are now older than what follows
    expect(await quality.lookup(version)).toBeUndefined()
    expect(await unlucky.lookup(version)).toBeUndefined()
    const worker = new LedgerTracker(store, logger, now)
    const m = message('run-1')
    await worker.queued([m])
    await worker.begin(m, at('4'))
    await worker.finish(m, at('4'), resultFor(m))
    const headers = worker.resultHeaders(m)
    expect(JSON.parse(headers.ferry_ledger ?? '{}')).toMatchObject({ state: 'written', position: at('4') })
    expect(headers.ferry_ledger).not.toContain('"result"')

    await quality.qualified(resultFor(m), 'pass', headers)
    expect(records.at(-1)).toMatchObject({
      state: 'qualified',
      quality: 'pass',
      position: at('4'),
      enqueued: 1,
      attempts: 1,
    })
    // an unreadable handover falls back to the own, older view: the worker's position is lost
    await unlucky.qualified(resultFor(m), 'pass', { ferry_ledger: '{' })
    expect(records.at(-1)).toMatchObject({ state: 'qualified', enqueued: 0 })
    expect(records.at(-1)?.position).toBeUndefined()
    expect(worker.resultHeaders({ ...version, eTag: 'unknown' })).toEqual({})
  })

  it('collapses several steps on one key within a batch into one record', async () => {
    const { store, records } = memoryStore()
    const ledger = new LedgerTracker(store, logger, now)
    await ledger.queued([message('run-1'), message('run-1')])
    expect(records).toHaveLength(1)
    expect(records[0]?.enqueued).toBe(2)
  })

  it('tries the read again after a failed one', async () => {
    let fail = true
    const { store } = memoryStore()
    const flaky: LedgerStore = {
      load: async () => {
        if (fail) throw new Error('broker down')
        return store.load()
      },
      write: store.write,
    }
    const ledger = new LedgerTracker(flaky, logger, now)
    await expect(ledger.queued([message('run-1')])).rejects.toThrow('broker down')
    fail = false
    await ledger.queued([message('run-1')])
    expect(await ledger.lookup({ bucket: 'landing', key: 'orders/a.parquet', eTag: 'e1' })).toMatchObject({
      state: 'queued',
    })
  })
})
