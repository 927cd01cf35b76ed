import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { Exit, ferry } from '../../support/ferry-env.js'
import {
  eTagOf,
  type LedgerWorld,
  lakeSnapshot,
  ledgerWorld,
  mustRun,
  night,
  ordersFile,
  renotify,
  results,
  status,
  upload,
  writtenBy,
} from './support.js'

const endpoints = inject('endpoints')

const A = 'orders/2026-11-23/orders-a.parquet'
const B = 'orders/2026-11-23/orders-b.parquet'
const BROKEN = 'orders/2026-11-23/orders-broken.parquet'

describe('the per-file ledger on real local servers (moto, embedded broker, GCS, Pub/Sub)', () => {
  let world: LedgerWorld
  const eTags: Record<string, string> = {}

  beforeAll(async () => {
    world = await ledgerWorld(endpoints)
    await upload(world, A, ordersFile(1))
    await upload(world, B, ordersFile(2))
    await upload(world, BROKEN, ordersFile(3).slice(0, 200))
    for (const key of [A, B, BROKEN]) eTags[key] = await eTagOf(world, key)
  })
  afterAll(() => world?.admin.close())

  it('records every file through received -> queued -> processing -> written | dead-lettered -> qualified', async () => {
    await mustRun(world, ['drain', '--wait-seconds', '1'])
    let entries = await status(world)
    expect([...entries.keys()].sort()).toEqual([`${A}@${eTags[A]}`, `${B}@${eTags[B]}`, `${BROKEN}@${eTags[BROKEN]}`])
    for (const entry of entries.values()) {
      expect(entry).toMatchObject({ state: 'queued', enqueued: 1, attempts: 0, eventDate: today() })
      expect(entry.timestamps.received).toBeDefined()
      expect(entry.timestamps.queued).toBeDefined()
    }

    expect((await ferry(world, ['work', '--until-idle'])).code).toBe(Exit.OK)
    entries = await status(world)
    expect(entries.get(`${A}@${eTags[A]}`)).toMatchObject({
      state: 'written',
      attempts: 1,
      lastError: null,
      dataset: 'orders',
    })
    expect(entries.get(`${BROKEN}@${eTags[BROKEN]}`)).toMatchObject({
      state: 'dead-lettered',
      attempts: 1,
      lastError: { code: 'FERRY_FORMAT' },
    })

    await ferry(world, ['quality', '--until-idle'])
    entries = await status(world)
    expect(entries.get(`${A}@${eTags[A]}`)).toMatchObject({ state: 'qualified', quality: 'pass' })
    expect(entries.get(`${BROKEN}@${eTags[BROKEN]}`)).toMatchObject({ state: 'qualified', quality: 'fail' })
    for (const entry of entries.values()) {
      expect(Object.keys(entry.timestamps).sort()).toEqual([
        'processed',
        'processing',
        'qualified',
        'queued',
        'received',
      ])
    }
  })

  it('ferry status prints the table with outcomes and verdicts, filters it and counts', async () => {
    const table = await mustRun(world, ['status'])
    expect(table[0]).toMatch(/^object\s+eTag\s+state\s+outcome\s+quality\s+attempts\s+last error\s+updated$/)
    const broken = table.find((l) => l.includes(BROKEN)) ?? ''
    expect(broken).toMatch(new RegExp(`${eTags[BROKEN]}\\s+qualified\\s+dead-lettered\\s+fail\\s+1\\s+FERRY_FORMAT: `))
    expect(table.at(-1)).toBe(
      'ledger entries=3 received=0 queued=0 processing=0 written=2 quarantined=0 dead-lettered=1 qualified=3 quality_pass=2 quality_fail=1',
    )
    // the on-call question, after quality judged everything: which file was dead-lettered?
    expect([...(await status(world, '--state', 'dead-lettered')).keys()]).toEqual([`${BROKEN}@${eTags[BROKEN]}`])
    expect([...(await status(world, '--quality', 'fail')).keys()]).toEqual([`${BROKEN}@${eTags[BROKEN]}`])
    expect([...(await status(world, '--dataset', 'orders', '--date', today())).keys()]).toHaveLength(3)
    expect([...(await status(world, '--date', '1999-01-01')).keys()]).toEqual([])
    for (const args of [
      ['--dataset', 'refunds'],
      ['--date', '2026-13-45'],
      ['--quality', 'maybe'],
    ]) {
      const refused = await ferry(world, ['status', ...args])
      expect(refused.code, args.join(' ')).toBe(Exit.ERROR)
    }
    expect((await ferry(world, ['status', '--dataset', 'refunds'])).err.join('\n')).toContain(
      '--dataset must be one of orders',
    )
    const bad = await ferry(world, ['status', '--state', 'lost'])
    expect(bad.code).toBe(Exit.ERROR)
    expect(bad.err.join('\n')).toContain('--state must be one of received, queued, processing')
  })

  it('skips a duplicate notification of a written file: a result marked skipped, outputs untouched', async () => {
    const before = await lakeSnapshot(world)
    const firstRun = (await results(world)).find((r) => r.result.source.key === A)?.result
    await renotify(world, A)
    await night(world)

    const all = await results(world)
    expect(all).toHaveLength(4)
    const forA = all.filter((r) => r.result.source.key === A)
    expect(forA).toHaveLength(2)
    // one partition per key: the repeat comes after the first result
    const repeat = forA[1]
    expect(forA[0]?.headers.skipped).toBeUndefined()
    expect(repeat?.headers.skipped).toBe('duplicate')
    // the recorded outcome, under the new run
    expect(repeat?.result).toMatchObject({
      status: 'written',
      rowsIn: firstRun?.rowsIn,
      rowsOut: firstRun?.rowsOut,
      output: firstRun?.output,
      durationsMs: { total: 0 },
    })
    expect(repeat?.result.runId).not.toBe(firstRun?.runId)
    // not reprocessed: the output still carries the first run's stamp, and no byte changed
    expect(await writtenBy(world, firstRun?.output ?? null)).toBe(firstRun?.runId)
    expect(await lakeSnapshot(world)).toEqual(before)
    expect((await status(world)).get(`${A}@${eTags[A]}`)).toMatchObject({
      state: 'qualified',
      quality: 'pass',
      attempts: 1,
      enqueued: 2,
      skipped: 1,
    })
  })

  it('processes a changed object (new content, new eTag) again', async () => {
    const before = await lakeSnapshot(world)
    await upload(world, B, ordersFile(22))
    const changed = await eTagOf(world, B)
    expect(changed).not.toBe(eTags[B])
    await night(world)

    const latest = (await results(world)).filter((r) => r.result.source.key === B).at(-1)
    expect(latest?.headers.skipped).toBeUndefined()
    expect(latest?.result).toMatchObject({ status: 'written', source: { eTag: changed } })
    expect(await writtenBy(world, latest?.result.output ?? null)).toBe(latest?.result.runId)
    const after = await lakeSnapshot(world)
    const outputKey = (latest?.result.output ?? '').replace(`gs://${world.lake}/`, '')
    expect(after[outputKey]).not.toBe(before[outputKey])
    const entries = await status(world)
    expect(entries.get(`${B}@${changed}`)).toMatchObject({ state: 'qualified', attempts: 1, skipped: 0 })
    // the old version keeps its own entry
    expect(entries.get(`${B}@${eTags[B]}`)).toMatchObject({ state: 'qualified', attempts: 1 })
  })

  it('still skips duplicates when two workers share the partitions', async () => {
    const before = await lakeSnapshot(world)
    const since = new Date().toISOString()
    await renotify(world, A)
    await renotify(world, B)
    await mustRun(world, ['drain', '--wait-seconds', '1'])
    // Each worker reads the ledger when it starts: whichever gets a partition knows its files.
    const workers = await Promise.all([ferry(world, ['work', '--until-idle']), ferry(world, ['work', '--until-idle'])])
    expect(workers.map((w) => w.code)).toEqual([Exit.OK, Exit.OK])
    const latest = (await results(world)).filter((r) => r.result.processedAt > since)
    expect(latest.map((r) => [r.result.source.key, r.headers.skipped]).sort()).toEqual([
      [A, 'duplicate'],
      [B, 'duplicate'],
    ])
    expect(await lakeSnapshot(world)).toEqual(before)
  })
})

/** Objects uploaded by the test get an event time of now: their event date is today (UTC). */
function today(): string {
  return new Date().toISOString().slice(0, 10)
}
