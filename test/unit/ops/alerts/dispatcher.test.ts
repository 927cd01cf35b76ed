import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAlertDispatcher } from '../../../../src/ops/alerts/dispatcher.js'
import { createSlackSink } from '../../../../src/ops/alerts/slack.js'
import { createWebhookSink } from '../../../../src/ops/alerts/webhook.js'
import type { Alert, AlertSink } from '../../../../src/ports.js'
import { deadUrl, type HttpRecorder, startHttpRecorder } from '../../../support/http-recorder.js'
import { event, memoryLogger, SLACK_PATH, SLACK_SECRET } from './fixtures.js'

const runId = 'run-20261124T000100Z-abc123'
const fast = { timeoutMs: 2000, retry: { maxAttempts: 2, baseMs: 1 }, retryAfterCapMs: 10 }

let webhook: HttpRecorder
let log: ReturnType<typeof memoryLogger>

beforeEach(async () => {
  webhook = await startHttpRecorder()
  log = memoryLogger()
})

afterEach(async () => {
  await webhook.close()
})

function webhookSink() {
  return createWebhookSink({ url: `${webhook.url}/alerts`, logger: log.logger, http: fast })
}

/** Three datasets failing, so three alerts. */
function recordThreeDatasets(dispatcher: ReturnType<typeof createAlertDispatcher>) {
  for (const [d, files] of [
    ['orders', 3],
    ['customers', 2],
    ['events', 1],
  ] as const) {
    for (let i = 0; i < files; i++) dispatcher.record(event(d, `${d}/f${i}.csv`, 'dead'))
  }
}

describe('alert dispatcher', () => {
  it('keeps delivering to the healthy sink when Slack is down, and logs the failure without the URL', async () => {
    const slack = createSlackSink({ url: `${await deadUrl()}${SLACK_PATH}`, logger: log.logger, http: fast })
    const dispatcher = createAlertDispatcher({
      runId,
      sinks: { slack, webhook: webhookSink() },
      logger: log.logger,
      minIntervalMs: 1,
    })
    recordThreeDatasets(dispatcher)
    // Slack is unreachable: its first alert exhausts the retries, the two others are skipped.
    expect(await dispatcher.flush()).toEqual({ sent: 3, suppressed: 0, failed: 3 })
    expect(webhook.requests.map((r) => JSON.parse(r.body).dataset)).toEqual(['orders', 'customers', 'events'])
    const failures = log.lines().filter((l) => l.msg === 'alert not delivered')
    expect(failures).toEqual([
      expect.objectContaining({ sink: 'slack', dataset: 'orders', skipped: 2, level: 'error' }),
    ])
    expect(log.text()).toContain('ECONNREFUSED')
    expect(log.text()).not.toContain(SLACK_SECRET)
  })

  it('goes on with the next alert after a 4xx: the payload was at fault, not the sink', async () => {
    webhook.script({ status: 400, body: 'bad payload' })
    const dispatcher = createAlertDispatcher({
      runId,
      sinks: { webhook: webhookSink() },
      logger: log.logger,
      minIntervalMs: 1,
    })
    recordThreeDatasets(dispatcher)
    expect(await dispatcher.flush()).toEqual({ sent: 2, suppressed: 0, failed: 1 })
    expect(webhook.requests).toHaveLength(3)
  })

  it('sends night-level failures first, with the configured links', async () => {
    const links = [{ label: 'run logs', url: 'https://logs.example/run' }]
    const dispatcher = createAlertDispatcher({
      runId,
      sinks: { webhook: webhookSink() },
      logger: log.logger,
      links,
      minIntervalMs: 1,
    })
    dispatcher.record(event('orders', 'orders/a.csv', 'empty'))
    dispatcher.recordNight({
      check: 'run',
      severity: 'fail',
      observed: 'FERRY_KAFKA',
      threshold: 'no error',
      message: 'the night stopped: broker unreachable',
    })
    expect(await dispatcher.flush()).toEqual({ sent: 2, suppressed: 0, failed: 0 })
    const [night, orders] = webhook.requests.map((r) => JSON.parse(r.body) as Alert)
    expect(night).toMatchObject({
      title: `Ferry night ${runId}: run`,
      items: [
        { key: '(night)', check: 'run', observed: 'FERRY_KAFKA', message: 'the night stopped: broker unreachable' },
      ],
      links,
    })
    expect(night?.dataset).toBeUndefined()
    expect(orders).toMatchObject({ dataset: 'orders', links, items: [{ check: 'non_empty' }, { check: 'row_ratio' }] })
  })

  it('sends to each sink in order and clears what it flushed', async () => {
    const seen: string[] = []
    const recorder: AlertSink = {
      send: async (alert) => {
        seen.push(alert.dataset ?? 'night')
      },
    }
    const dispatcher = createAlertDispatcher({ runId, sinks: { recorder }, logger: log.logger, minIntervalMs: 5 })
    recordThreeDatasets(dispatcher)
    expect(await dispatcher.flush()).toEqual({ sent: 3, suppressed: 0, failed: 0 })
    expect(seen).toEqual(['orders', 'customers', 'events'])
    expect(await dispatcher.flush()).toEqual({ sent: 0, suppressed: 0, failed: 0 })
  })
})
