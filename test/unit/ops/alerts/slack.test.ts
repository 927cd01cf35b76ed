import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createAlertDispatcher } from '../../../../src/ops/alerts/dispatcher.js'
import { createSlackSink } from '../../../../src/ops/alerts/slack.js'
import { SLACK_LIMITS, type SlackMessage } from '../../../../src/ops/alerts/slack-message.js'
import { type HttpRecorder, startHttpRecorder } from '../../../support/http-recorder.js'
import { event, memoryLogger, SLACK_PATH, SLACK_SECRET } from './fixtures.js'

const runId = 'run-20261124T000100Z-abc123'
const fast = { timeoutMs: 2000, retry: { maxAttempts: 3, baseMs: 1 }, retryAfterCapMs: 2000 }

let server: HttpRecorder
let log: ReturnType<typeof memoryLogger>

beforeEach(async () => {
  server = await startHttpRecorder()
  log = memoryLogger()
})

afterEach(async () => {
  await server.close()
})

function slack() {
  return createSlackSink({ url: `${server.url}${SLACK_PATH}`, logger: log.logger, http: fast })
}

function payloads(): SlackMessage[] {
  return server.requests.map((r) => JSON.parse(r.body) as SlackMessage)
}

/** Every text field of a message, for limit and content checks. */
function texts(message: SlackMessage): string[] {
  return message.blocks.flatMap((b) => (b.type === 'context' ? b.elements.map((e) => e.text) : [b.text.text]))
}

/**
 * 300 failing files: orders has 100 dead-lettered (processing) and 60 lossy (row_ratio and
 * rejected_rate); customers has 140 lossy. Two datasets, three checks, plus some clean files.
 */
function badNight() {
  const part = (i: number) => `part-${String(i).padStart(4, '0')}.csv`
  const events = []
  for (let i = 0; i < 160; i++) events.push(event('orders', `orders/2026-11-23/${part(i)}`, i < 100 ? 'dead' : 'lossy'))
  for (let i = 0; i < 140; i++) events.push(event('customers', `customers/2026-11-23/${part(i)}`, 'lossy'))
  for (let i = 0; i < 50; i++) events.push(event('orders', `orders/2026-11-23/clean-${i}.csv`, 'ok'))
  return events
}

describe('Slack sink through the dispatcher', () => {
  it('turns a night of 300 failing files into one valid, limit-respecting message per dataset', async () => {
    const dispatcher = createAlertDispatcher({ runId, sinks: { slack: slack() }, logger: log.logger, minIntervalMs: 1 })
    for (const e of badNight()) dispatcher.record(e)
    const result = await dispatcher.flush()

    expect(result).toEqual({ sent: 2, suppressed: 0, failed: 0 })
    expect(server.requests.length).toBeLessThanOrEqual(5)
    expect(server.requests.map((r) => [r.method, r.path, r.headers['content-type']])).toEqual([
      ['POST', SLACK_PATH, 'application/json'],
      ['POST', SLACK_PATH, 'application/json'],
    ])
    const [orders, customers] = payloads()
    for (const message of [orders, customers]) {
      if (!message) throw new Error('missing payload')
      expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks)
      for (const text of texts(message)) expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.text)
      expect(message.blocks.at(-1)).toEqual({
        type: 'context',
        elements: [{ type: 'mrkdwn', text: `run \`${runId}\`` }],
      })
      expect(message.text).toContain(runId)
    }
    expect(orders?.text).toBe(`Ferry orders: 160 file(s) failed processing, rejected_rate, row_ratio (run ${runId})`)
    expect(customers?.text).toBe(`Ferry customers: 140 file(s) failed rejected_rate, row_ratio (run ${runId})`)
    const sections = texts(orders as SlackMessage).slice(1, -1)
    expect(sections.map((s) => s.split('\n')[0])).toEqual([
      '*orders* · `processing` · 100 file(s)',
      '*orders* · `rejected_rate` · 60 file(s)',
      '*orders* · `row_ratio` · 60 file(s)',
    ])
    // Observed vs threshold per file, and the files not listed are counted, never silently dropped.
    expect(sections[0]).toContain(
      '• `landing/orders/2026-11-23/part-0000.csv` observed *dead-lettered* vs threshold *written|quarantined*: file was dead-lettered: bad magic bytes',
    )
    expect(sections[2]).toContain('observed *0.8* vs threshold *0.95*')
    for (const [section, total] of [
      [sections[0], 100],
      [sections[1], 60],
      [sections[2], 60],
    ] as const) {
      const listed = (section ?? '').split('\n').filter((l) => l.startsWith('• ')).length
      const more = Number(/… and (\d+) more$/.exec(section ?? '')?.[1])
      expect(listed + more).toBe(total)
    }
    expect(log.text()).toContain('"msg":"alerts flushed"')
    expect(log.text()).not.toContain(SLACK_SECRET)
  })

  it('caps a night with many failing datasets at 5 messages, the last saying what was suppressed', async () => {
    const dispatcher = createAlertDispatcher({ runId, sinks: { slack: slack() }, logger: log.logger, minIntervalMs: 1 })
    for (let d = 0; d < 8; d++) {
      for (let i = 0; i <= d; i++) dispatcher.record(event(`ds${d}`, `ds${d}/f${i}.csv`, 'dead'))
    }
    expect(await dispatcher.flush()).toEqual({ sent: 5, suppressed: 3, failed: 0 })
    expect(server.requests).toHaveLength(5)
    const last = payloads().at(-1) as SlackMessage
    expect(texts(last)).toContain(
      '3 more alert(s) suppressed by the cap of 5 per run: ds2 (3 file(s), fail), ds1 (2 file(s), fail), ds0 (1 file(s), fail)',
    )
    // The cap is per run: a later flush in the same run sends nothing more.
    dispatcher.record(event('late', 'late/f.csv', 'dead'))
    expect(await dispatcher.flush()).toEqual({ sent: 0, suppressed: 1, failed: 0 })
    expect(server.requests).toHaveLength(5)
    expect(log.text()).toContain('alerts suppressed by the per-run cap')
  })

  it("honours Slack's Retry-After on a 429 and then delivers", async () => {
    server.script({ status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' })
    await slack().send({ severity: 'warn', title: 't', runId, items: [] })
    expect(server.requests).toHaveLength(2)
    const [retry] = log.lines().filter((l) => l.msg === 'slack alert failed, retrying')
    expect(retry).toMatchObject({ endpoint: `${server.url}/…`, waitMs: 1000, err: { context: { retryAfterMs: 1000 } } })
    expect(log.text()).not.toContain(SLACK_SECRET)
  })

  it('sends nothing when the night had no failures', async () => {
    const dispatcher = createAlertDispatcher({ runId, sinks: { slack: slack() }, logger: log.logger })
    dispatcher.record(event('orders', 'orders/ok.csv', 'ok'))
    expect(await dispatcher.flush()).toEqual({ sent: 0, suppressed: 0, failed: 0 })
    expect(server.requests).toHaveLength(0)
  })
})
