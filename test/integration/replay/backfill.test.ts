import { HeadObjectCommand } from '@aws-sdk/client-s3'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { Exit, ferry } from '../../support/ferry-env.js'
import {
  type LedgerWorld,
  ledgerWorld,
  mustRun,
  objectMessages,
  ordersFile,
  results,
  upload,
  waitFor,
} from '../ledger/support.js'

const endpoints = inject('endpoints')
const EARLY = 'orders/2026-11-23/orders-early.parquet'
const LATE = 'orders/2026-11-23/orders-late.parquet'
const STRAY = 'misc/readme.txt'

describe('ferry backfill: enqueue a bucket listing whose notifications were lost', () => {
  let world: LedgerWorld
  let early: Date
  let late: Date

  beforeAll(async () => {
    world = await ledgerWorld(endpoints)
    await upload(world, EARLY, ordersFile(31))
    early = await lastModified(EARLY)
    await upload(world, STRAY, new TextEncoder().encode('not data'))
    // S3 keeps modification times to the second: upload the second file until its time is later.
    await waitFor(async () => {
      await upload(world, LATE, ordersFile(32))
      late = await lastModified(LATE)
      return late > early
    })
    // The notifications S3 sent are "lost": nobody drains this queue.
  })
  afterAll(() => world?.admin.close())

  async function lastModified(key: string): Promise<Date> {
    const head = await world.s3.send(new HeadObjectCommand({ Bucket: world.landing, Key: key }))
    return head.LastModified ?? new Date(0)
  }

  it('lists what it would enqueue in a dry run, filtered by modification time, and enqueues nothing', async () => {
    const all = await mustRun(world, ['backfill', `s3://${world.landing}/`, '--dry-run'])
    expect(all.at(-1)).toBe('backfill dry-run objects=2 ignored=1 outside=0')
    const after = await mustRun(world, [
      'backfill',
      `s3://${world.landing}/`,
      '--modified-after',
      late.toISOString(),
      '--dry-run',
    ])
    expect(after).toHaveLength(2)
    expect(after[0]).toMatch(new RegExp(`^s3://${world.landing}/${LATE}  \\d+ bytes  ${late.toISOString()}$`))
    expect(after[1]).toBe('backfill dry-run objects=1 ignored=0 outside=2')
    const before = await mustRun(world, [
      'backfill',
      `s3://${world.landing}/orders/`,
      '--modified-before',
      late.toISOString(),
      '--dry-run',
    ])
    expect(before.at(-1)).toBe('backfill dry-run objects=1 ignored=0 outside=1')
    // every enqueue is recorded in the ledger: a dry run leaves it empty
    expect(await mustRun(world, ['status', '--json'])).toEqual([])
  })

  it('enqueues the listed objects modified after a time under a backfill run id, and they are processed', async () => {
    const out = await mustRun(world, [
      'backfill',
      `s3://${world.landing}/orders/`,
      '--modified-after',
      late.toISOString(),
    ])
    const runId = /^backfill run_id=(backfill-\S+) objects=1 ignored=0 outside=1$/.exec(out.at(-1) ?? '')?.[1]
    expect(runId).toBeDefined()

    const messages = await objectMessages(world)
    expect(messages).toHaveLength(1)
    expect(messages[0]).toMatchObject({
      runId,
      key: LATE,
      replay: true,
      eventName: 'ObjectCreated:Backfill',
      // no ledger entry yet: the upload time stands in for the lost notification's event time
      eventTime: late.toISOString(),
    })

    await mustRun(world, ['work', '--until-idle'])
    const processed = await results(world)
    expect(processed.map((r) => [r.result.source.key, r.result.runId, r.result.status])).toEqual([
      [LATE, runId, 'written'],
    ])
  })

  it('refuses a URL of another store and an empty window', async () => {
    const wrong = await ferry(world, ['backfill', `gs://${world.landing}/orders/`])
    expect(wrong.code).toBe(Exit.ERROR)
    expect(wrong.err.join('\n')).toContain(
      `"gs://${world.landing}/orders/" is not in the source store: name it s3://bucket/prefix (the source store is S3)`,
    )
    const empty = await ferry(world, [
      'backfill',
      `s3://${world.landing}/`,
      '--modified-after',
      '2026-11-24',
      '--modified-before',
      '2026-11-23',
    ])
    expect(empty.code).toBe(Exit.ERROR)
    expect(empty.err.join('\n')).toContain('--modified-after must be earlier than --modified-before')
  })
})
