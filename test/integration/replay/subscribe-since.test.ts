import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { LocalEventBus } from '../../../src/adapters/local/event-bus.js'
import { PubSubEventBus } from '../../../src/adapters/pubsub/event-bus.js'
import type { BusMessage } from '../../../src/ports.js'
import { createWorld, Exit, type FerryWorld, ferry } from '../../support/ferry-env.js'
import { waitFor } from '../ledger/support.js'

const endpoints = inject('endpoints')

function fileEvent(status: 'pass' | 'fail', dataset: string, key: string) {
  const event = {
    schema: 'ferry.quality/v2',
    scope: 'file',
    runId: 'run-x',
    traceId: 'f'.repeat(32),
    dataset,
    status,
    severity: status === 'fail' ? 'fail' : 'info',
    checks: [{ name: 'row_ratio', status, severity: 'fail', observed: 0.9, threshold: 0.95, message: '' }],
    source: { bucket: 'landing', key, uri: `s3://landing/${key}` },
    counts: { rowsIn: 10, rowsOut: 9, rowsRejected: 1 },
    output: null,
    quarantine: null,
    eventDate: '2026-11-23',
    evaluatedAt: '2026-11-24T00:05:00.000Z',
  }
  return {
    data: Buffer.from(JSON.stringify(event)),
    attributes: { dataset, status, severity: event.severity, scope: 'file' },
  }
}

function nightEvent(dataset: string) {
  const event = {
    schema: 'ferry.quality/v2',
    scope: 'night',
    runId: 'run-x',
    dataset,
    date: '2026-11-23',
    status: 'pass',
    severity: 'info',
    checks: [{ name: 'files', status: 'pass', severity: 'fail', observed: 3, threshold: 1, message: '' }],
    counts: {
      files: 3,
      filesWritten: 3,
      filesDeadLettered: 0,
      rowsIn: 30,
      rowsOut: 30,
      rowsRejected: 0,
      bytesIn: 1,
      bytesOut: 1,
    },
    evaluatedAt: '2026-11-24T00:06:00.000Z',
  }
  return {
    data: Buffer.from(JSON.stringify(event)),
    attributes: { dataset, status: 'pass', severity: 'info', scope: 'night' },
  }
}

describe('ferry subscribe --since/--scope/--ephemeral on the Pub/Sub emulator', () => {
  let world: FerryWorld
  let bus: PubSubEventBus
  const api = () => `http://${endpoints.pubsub}/v1/projects/${endpoints.pubsubProject}`

  beforeAll(async () => {
    world = await createWorld(endpoints)
    bus = new PubSubEventBus({ projectId: endpoints.pubsubProject, apiEndpoint: endpoints.pubsub })
    await bus.ensureTopic(world.topics.quality)
  })
  afterAll(() => bus?.close())

  async function subscriptions(): Promise<string[]> {
    const response = await fetch(`${api()}/topics/${world.topics.quality}/subscriptions`)
    const body = (await response.json()) as { subscriptions?: string[] }
    return body.subscriptions ?? []
  }

  /** Runs `ferry subscribe` and publishes once its subscription exists: Pub/Sub keeps what comes after. */
  async function whileSubscribed(argv: string[], events: Array<{ data: Buffer; attributes: Record<string, string> }>) {
    const existing = (await subscriptions()).length
    const run = ferry(world, ['subscribe', ...argv])
    await waitFor(async () => (await subscriptions()).length > existing)
    for (const e of events) await bus.publish(world.topics.quality, e.data, e.attributes)
    return run
  }

  it('seeks a reused subscription back, so what it already acknowledged is delivered again', async () => {
    const name = `again-${world.id}`
    // The emulator stores filters without applying them; the adapter applies the run's own.
    const reuse = ['--subscription', name, '--dataset', 'refunds']
    try {
      const first = await whileSubscribed(
        [...reuse, '--max-events', '1'],
        [fileEvent('fail', 'orders', 'a.parquet'), fileEvent('fail', 'refunds', 'c.parquet')],
      )
      expect(first.out).toEqual([expect.stringMatching(/FAIL refunds s3:\/\/landing\/c\.parquet/)])
      const again = await ferry(world, ['subscribe', ...reuse, '--since', 'PT1H', '--max-events', '1'])
      expect(again.code).toBe(Exit.OK)
      expect(again.out).toEqual(first.out)
      // without --since what was acknowledged stays acknowledged: only the next event arrives
      const next = ferry(world, ['subscribe', ...reuse, '--max-events', '1'])
      const other = await whileSubscribed(
        ['--ephemeral', '--max-events', '1'],
        [fileEvent('pass', 'refunds', 'd.parquet')],
      )
      expect(other.code).toBe(Exit.OK)
      expect((await next).out).toEqual([expect.stringMatching(/PASS refunds s3:\/\/landing\/d\.parquet/)])
    } finally {
      await bus.deleteSubscription(name)
    }
  })

  it('--ephemeral --status fail --json prints matching events as JSON, then deletes its subscription', async () => {
    const run = await whileSubscribed(
      ['--ephemeral', '--status', 'fail', '--json', '--max-events', '2'],
      [
        fileEvent('fail', 'orders', 'a.parquet'),
        fileEvent('pass', 'orders', 'b.parquet'),
        fileEvent('fail', 'refunds', 'c.parquet'),
      ],
    )
    expect(run.code).toBe(Exit.OK)
    expect(run.out.map((l) => JSON.parse(l).source.key).sort()).toEqual(['a.parquet', 'c.parquet'])
    expect(await subscriptions()).toEqual([])
  })

  it('--scope night keeps the night verdicts and prints them readably', async () => {
    const run = await whileSubscribed(
      ['--ephemeral', '--scope', 'night', '--max-events', '1'],
      [fileEvent('fail', 'orders', 'a.parquet'), nightEvent('orders')],
    )
    expect(run.code).toBe(Exit.OK)
    expect(run.out).toEqual(['2026-11-24T00:06:00.000Z PASS orders night 2026-11-23 3 file(s), 30/30 rows'])
  })

  it('exits cleanly on Ctrl-C and deletes its ephemeral subscription', async () => {
    const abort = new AbortController()
    const run = ferry(world, ['subscribe', '--ephemeral'], abort.signal)
    await waitFor(async () => (await subscriptions()).length === 1)
    abort.abort()
    const done = await run
    expect(done.code).toBe(Exit.OK)
    expect(done.err.join('\n')).toMatch(/listening on subscription ferry-subscribe-[0-9a-f]{12} \(Ctrl-C to stop\)/)
    expect(await subscriptions()).toEqual([])
  })

  it('rejects a bad --scope, --since or --ephemeral with a name', async () => {
    const cases: Array<[string[], string]> = [
      [['--scope', 'week'], '--scope must be file or night'],
      [['--since', 'yesterday'], 'not a date or a date-time with a zone'],
      [['--ephemeral', '--subscription', 'x'], '--ephemeral makes its own subscription'],
    ]
    for (const [argv, message] of cases) {
      const run = await ferry(world, ['subscribe', ...argv])
      expect(run.code).toBe(Exit.ERROR)
      expect(run.err.join('\n')).toContain(message)
    }
  })
})

describe('SubscribeOptions.since on the local event bus', () => {
  it('moves a subscription to the first message published at or after the time, acked ones included', async () => {
    const bus = new LocalEventBus(mkdtempSync(join(tmpdir(), 'ferry-bus-')), { pollIntervalMs: 10 })
    await bus.ensureTopic('quality')
    await bus.publish('quality', Buffer.from('old'), {})
    const received: string[] = []
    const collect = async (m: BusMessage) => {
      received.push(m.data.toString())
    }
    // created at the end of the topic: sees only what comes next
    const first = await bus.subscribe('quality', 'sub-1', { create: true }, collect)
    await bus.publish('quality', Buffer.from('new'), {})
    await waitFor(() => received.length === 1)
    await first.close()
    expect(received).toEqual(['new'])

    const again = await bus.subscribe('quality', 'sub-1', { since: new Date(0) }, collect)
    await waitFor(() => received.length === 3)
    await again.close()
    expect(received).toEqual(['new', 'old', 'new'])

    const future = await bus.subscribe('quality', 'sub-1', { since: new Date(Date.now() + 60_000) }, collect)
    await bus.publish('quality', Buffer.from('newest'), {})
    await waitFor(() => received.length === 4)
    await future.close()
    expect(received.at(-1)).toBe('newest')
    await bus.close()
  })
})
