import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defaultConfig } from '../../../src/config/load.js'
import { notificationQualityEvent } from '../../../src/core/quality.js'
import { publishQuality } from '../../../src/ops/events.js'
import { createLogger } from '../../../src/ops/logger.js'
import { createNightMonitor } from '../../../src/ops/night-monitor.js'
import type { Alert } from '../../../src/ports.js'
import { type HttpRecorder, startHttpRecorder } from '../../support/http-recorder.js'

let webhook: HttpRecorder
beforeEach(async () => {
  webhook = await startHttpRecorder()
})
afterEach(async () => {
  await webhook.close()
})

describe('night monitor and notification events', () => {
  it('takes notification events off the quality channel without failing, and alerts on the dead letters once', async () => {
    const config = defaultConfig()
    config.monitor.webhookUrl = `${webhook.url}/alerts`
    const monitor = createNightMonitor(config, 'run-1', createLogger({ level: 'silent' }))
    const uncaught: unknown[] = []
    const onUncaught = (err: unknown) => uncaught.push(err)
    process.on('uncaughtException', onUncaught)
    try {
      for (const messageId of ['m-1', 'm-2']) {
        publishQuality(
          notificationQualityEvent({ runId: 'run-1', messageId, reason: 'body is not JSON', body: 'x' }, new Date()),
        )
      }
      // a subscriber that throws on diagnostics_channel surfaces on the next tick
      await new Promise((resolve) => setImmediate(resolve))
      await monitor.finish(
        {
          runId: 'run-1',
          startedAt: new Date().toISOString(),
          durationMs: 1,
          drain: { messages: 3, objects: 1, duplicates: 0, skipped: 0, deadLettered: 2 },
          files: [
            {
              key: 'landing/orders/a.csv',
              uri: 's3://landing/orders/a.csv',
              dataset: 'orders',
              status: 'written',
              quality: 'pass',
              rowsIn: 1,
              rowsOut: 1,
              rowsRejected: 0,
              durationMs: 1,
              output: 'gs://lake/a.parquet',
              quarantine: null,
              reason: null,
              alreadyProcessed: false,
            },
          ],
          earlierRuns: 0,
          nights: [],
        },
        false,
      )
    } finally {
      process.off('uncaughtException', onUncaught)
      monitor.close()
    }
    expect(uncaught).toEqual([])
    // the webhook gets the Alert itself: one night-level alert, the dead letters counted once
    const alerts = webhook.requests.map((r) => JSON.parse(r.body) as Alert)
    expect(alerts.map((a) => a.items.map((i) => i.check))).toEqual([['drain_dead_letters']])
    expect(alerts[0]?.items[0]?.observed).toBe('2')
  })
})
