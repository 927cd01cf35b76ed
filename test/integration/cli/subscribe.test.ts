import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { PubSubEventBus } from '../../../src/adapters/pubsub/event-bus.js'
import { createWorld, Exit, type FerryWorld, ferry } from '../../support/ferry-env.js'

const endpoints = inject('endpoints')

describe('ferry subscribe on the Pub/Sub emulator', () => {
  let world: FerryWorld
  let bus: PubSubEventBus
  beforeAll(async () => {
    world = await createWorld(endpoints)
    bus = new PubSubEventBus({ projectId: endpoints.pubsubProject, apiEndpoint: endpoints.pubsub })
    await bus.ensureTopic(world.topics.quality)
  })
  afterAll(() => bus.close())

  function event(status: 'pass' | 'fail', dataset: string, key: string) {
    return {
      data: Buffer.from(
        JSON.stringify({
          schema: 'ferry.quality/v1',
          scope: 'file',
          runId: 'run-x',
          traceId: 'f'.repeat(32),
          dataset,
          status,
          severity: status === 'fail' ? 'fail' : 'info',
          checks: [
            {
              name: 'row_ratio',
              status,
              severity: 'fail',
              observed: status === 'fail' ? 0.9 : 1,
              threshold: 0.95,
              message: '',
            },
          ],
          source: { bucket: 'landing', key, uri: `s3://landing/${key}` },
          counts: { rowsIn: 10, rowsOut: 9, rowsRejected: 1 },
          output: null,
          quarantine: null,
          eventDate: '2026-11-23',
          evaluatedAt: '2026-11-24T00:05:00.000Z',
        }),
      ),
      attributes: { dataset, status, severity: status === 'fail' ? 'fail' : 'info', scope: 'file' },
    }
  }

  it('creates a filtered subscription and prints only matching events, as JSON or as lines', async () => {
    const json = ferry(world, ['subscribe', '--status', 'fail', '--dataset', 'orders', '--json', '--max-events', '1'])
    const text = ferry(world, [
      'subscribe',
      '--status',
      'fail',
      '--max-events',
      '2',
      '--subscription',
      `txt-${world.id}`,
    ])
    // Pub/Sub keeps for a subscription what is published after it exists: wait until both do.
    await waitForSubscription(`ferry-subscribe-${world.topics.quality}-fail-orders`)
    await waitForSubscription(`txt-${world.id}`)
    for (const e of [
      event('pass', 'orders', 'a.parquet'),
      event('fail', 'refunds', 'b.parquet'),
      event('fail', 'orders', 'c.parquet'),
    ]) {
      await bus.publish(world.topics.quality, e.data, e.attributes)
    }
    const jsonRun = await json
    expect(jsonRun.code).toBe(Exit.OK)
    expect(jsonRun.out).toHaveLength(1)
    expect(JSON.parse(jsonRun.out[0] ?? '{}')).toMatchObject({ status: 'fail', dataset: 'orders' })
    const textRun = await text
    expect(textRun.code).toBe(Exit.OK)
    expect(textRun.out.sort()).toEqual([
      expect.stringMatching(/FAIL orders s3:\/\/landing\/c\.parquet row_ratio=0\.9 \(threshold 0\.95\)$/),
      expect.stringMatching(/FAIL refunds s3:\/\/landing\/b\.parquet row_ratio=0\.9 \(threshold 0\.95\)$/),
    ])
  })

  async function waitForSubscription(name: string): Promise<void> {
    const url = `http://${endpoints.pubsub}/v1/projects/${endpoints.pubsubProject}/subscriptions/${name}`
    const deadline = Date.now() + 30_000
    while ((await fetch(url)).status !== 200) {
      if (Date.now() > deadline) throw new Error(`subscription ${name} was never created`)
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  it('rejects a bad --status', async () => {
    const run = await ferry(world, ['subscribe', '--status', 'maybe'])
    expect(run.code).toBe(Exit.ERROR)
    expect(run.err.join('\n')).toContain('--status must be pass or fail')
  })
})
