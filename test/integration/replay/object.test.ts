import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { PubSubEventBus } from '../../../src/adapters/pubsub/event-bus.js'
import type { QualityEvent } from '../../../src/core/messages.js'
import type { BusSubscription } from '../../../src/ports.js'
import { Exit, ferry } from '../../support/ferry-env.js'
import {
  eTagOf,
  type LedgerWorld,
  lakeSnapshot,
  ledgerWorld,
  mustRun,
  night,
  objectMessages,
  ordersFile,
  results,
  status,
  upload,
  waitFor,
  writtenBy,
} from '../ledger/support.js'

const endpoints = inject('endpoints')
const KEY = 'orders/2026-11-23/orders-replayed.parquet'

describe('ferry replay --object: one file again, now, under a replay run id', () => {
  let world: LedgerWorld
  let bus: PubSubEventBus
  let subscription: BusSubscription
  const events: Array<{ event: QualityEvent; attributes: Record<string, string> }> = []

  beforeAll(async () => {
    world = await ledgerWorld(endpoints)
    bus = new PubSubEventBus({ projectId: endpoints.pubsubProject, apiEndpoint: endpoints.pubsub })
    await bus.ensureTopic(world.topics.quality)
    subscription = await bus.subscribe(world.topics.quality, `watch-${world.id}`, { create: true }, async (m) => {
      events.push({ event: JSON.parse(m.data.toString('utf8')) as QualityEvent, attributes: m.attributes })
    })
    await upload(world, KEY, ordersFile(5))
    await night(world)
  })
  afterAll(async () => {
    await subscription?.close()
    await bus?.deleteSubscription(`watch-${world.id}`)
    await bus?.close()
    await world?.admin.close()
  })

  it('reprocesses the file even though it was written; its result and quality event carry the run id', async () => {
    const before = await lakeSnapshot(world)
    const first = (await results(world))[0]?.result
    const eTag = await eTagOf(world, KEY)

    const out = await mustRun(world, ['replay', '--object', `s3://${world.landing}/${KEY}`])
    const match = /^replay run_id=(replay-\S+) object=s3:\/\/\S+ eTag=(\S+) queued=1$/.exec(out.at(-1) ?? '')
    expect(match?.[2]).toBe(eTag)
    const runId = match?.[1] ?? ''

    const message = (await objectMessages(world)).find((m) => m.runId === runId)
    // the event time the ledger recorded, so the output goes to the same date path
    expect(message).toMatchObject({ replay: true, key: KEY, eTag, eventName: 'ObjectCreated:Replay' })
    const original = (await objectMessages(world)).find((m) => m.runId === first?.runId)
    expect(message?.eventTime).toBe(original?.eventTime)

    await night(world)
    const replayed = (await results(world)).find((r) => r.result.runId === runId)
    expect(replayed?.headers.skipped).toBeUndefined()
    expect(replayed?.result).toMatchObject({ status: 'written', output: first?.output, rowsOut: first?.rowsOut })
    // written again by the replay run, with the same bytes
    expect(await writtenBy(world, replayed?.result.output ?? null)).toBe(runId)
    expect(await lakeSnapshot(world)).toEqual(before)

    await waitFor(() => events.some((e) => e.event.runId === runId))
    const event = events.find((e) => e.event.runId === runId)
    expect(event?.attributes.run_id).toBe(runId)
    expect(event?.event).toMatchObject({ status: 'pass', source: { key: KEY } })

    expect((await status(world)).get(`${KEY}@${eTag}`)).toMatchObject({
      state: 'qualified',
      runId,
      replay: true,
      attempts: 2,
      enqueued: 2,
      skipped: 0,
    })
  })

  it('fails clearly for a missing object or another store', async () => {
    const missing = await ferry(world, ['replay', '--object', `s3://${world.landing}/orders/nope.parquet`])
    expect(missing.code).toBe(Exit.ERROR)
    expect(missing.err.join('\n')).toContain(`no such object: s3://${world.landing}/orders/nope.parquet`)
    const wrong = await ferry(world, ['replay', '--object', `gs://${world.landing}/${KEY}`])
    expect(wrong.code).toBe(Exit.ERROR)
    expect(wrong.err.join('\n')).toContain(
      `"gs://${world.landing}/${KEY}" is not in the source store: name it s3://bucket/key (the source store is S3)`,
    )
  })
})
