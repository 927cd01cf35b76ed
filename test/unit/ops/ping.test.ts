import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.js'
import { createAlertDispatcher } from '../../../src/ops/alerts/dispatcher.js'
import { createSlackSink } from '../../../src/ops/alerts/slack.js'
import { createPinger, PING_BODY_LIMIT, runUuid, truncateUtf8 } from '../../../src/ops/ping.js'
import { deadUrl, type HttpRecorder, startHttpRecorder } from '../../support/http-recorder.js'
import { event, memoryLogger, PING_SECRET, SLACK_PATH, SLACK_SECRET } from './alerts/fixtures.js'

const runId = 'run-20261124T000100Z-abc123'
const rid = runUuid(runId)
const base = `/ping/${PING_SECRET}`
const fast = { timeoutMs: 2000, retry: { maxAttempts: 3, baseMs: 1 }, retryAfterCapMs: 10 }

let server: HttpRecorder
let log: ReturnType<typeof memoryLogger>

beforeEach(async () => {
  server = await startHttpRecorder()
  log = memoryLogger()
})

afterEach(async () => {
  await server.close()
})

function pinger(url = `${server.url}${base}`) {
  return createPinger(url, log.logger, fast)
}

describe('heartbeat pings', () => {
  it('pings /start then the plain URL for a good night, both with the same rid and the run id in the body', async () => {
    const ping = pinger()
    await ping.start(runId)
    await ping.success(runId, 'files=3 written=3 quarantined_rows=0 dead_lettered=0 quality_pass=3 quality_fail=0')
    expect(server.requests.map((r) => [r.method, r.path, r.query, r.body])).toEqual([
      ['POST', `${base}/start`, { rid }, `run ${runId}`],
      [
        'POST',
        base,
        { rid },
        `run ${runId}\nfiles=3 written=3 quarantined_rows=0 dead_lettered=0 quality_pass=3 quality_fail=0`,
      ],
    ])
  })

  it('pings /start then POSTs /fail with the summary and failing checks for a bad night', async () => {
    const ping = pinger()
    await ping.start(runId)
    const body =
      'files=2 written=1 quarantined_rows=0 dead_lettered=1 quality_pass=1 quality_fail=1\nlanding/a.csv processing'
    await ping.fail(runId, body)
    expect(server.requests.map((r) => [r.method, r.path, r.query.rid])).toEqual([
      ['POST', `${base}/start`, rid],
      ['POST', `${base}/fail`, rid],
    ])
    expect(server.requests[1]?.body).toBe(`run ${runId}\n${body}`)
    expect(server.requests[1]?.headers['content-type']).toBe('text/plain; charset=utf-8')
  })

  it('keeps a trailing slash and an existing query working', async () => {
    await pinger(`${server.url}${base}/?create=1`).start(runId)
    expect(server.requests[0]).toMatchObject({ path: `${base}/start`, query: { create: '1', rid } })
  })

  it('cuts a long fail body to the 10 kB Healthchecks keeps', async () => {
    await pinger().fail(runId, 'é'.repeat(20_000))
    const received = server.requests[0]?.body ?? ''
    expect(Buffer.byteLength(received)).toBeLessThanOrEqual(PING_BODY_LIMIT)
    expect(received).toMatch(/^run run-\S+\né+\n… truncated$/)
  })

  it('retries a 503 and delivers', async () => {
    server.script({ status: 503 }, { status: 503 })
    await pinger().start(runId)
    expect(server.requests.map((r) => r.path)).toEqual([`${base}/start`, `${base}/start`, `${base}/start`])
    expect(log.lines().filter((l) => l.msg === 'heartbeat ping failed; the night goes on')).toEqual([])
  })

  it('does not retry a 404 (unknown check), warns and resolves', async () => {
    server.script({ status: 404, body: 'not found' })
    await pinger().success(runId)
    expect(server.requests).toHaveLength(1)
    const [warning] = log.lines().filter((l) => l.msg === 'heartbeat ping failed; the night goes on')
    expect(warning).toMatchObject({ level: 'warn', signal: 'success', endpoint: `${server.url}/…` })
    expect(log.text()).not.toContain(PING_SECRET)
  })

  it('never throws when the ping server is down, and no log line carries a secret', async () => {
    const down = await deadUrl()
    const ping = createPinger(`${down}${base}`, log.logger, fast)
    await expect(ping.start(runId)).resolves.toBeUndefined()
    await expect(ping.fail(runId, 'quality_fail=1')).resolves.toBeUndefined()
    // The same night's Slack alert also fails to go out.
    const slack = createSlackSink({ url: `${down}${SLACK_PATH}`, logger: log.logger, http: fast })
    const dispatcher = createAlertDispatcher({ runId, sinks: { slack }, logger: log.logger })
    dispatcher.record(event('orders', 'orders/a.csv', 'dead'))
    expect(await dispatcher.flush()).toMatchObject({ sent: 0, failed: 1 })

    const warnings = log.lines().filter((l) => l.msg === 'heartbeat ping failed; the night goes on')
    expect(warnings.map((w) => [w.signal, w.endpoint])).toEqual([
      ['start', `${down}/…`],
      ['fail', `${down}/…`],
    ])
    expect(log.text()).toContain('ECONNREFUSED')
    expect(log.text()).not.toContain(PING_SECRET)
    expect(log.text()).not.toContain(SLACK_SECRET)
  })

  it('is a no-op without FERRY_PING_URL, and a malformed one is a config error that does not echo it', async () => {
    for (const unset of [undefined, '']) {
      const ping = createPinger(unset, log.logger)
      await ping.start(runId)
      await ping.success(runId)
      await ping.fail(runId, 'x')
    }
    expect(log.text()).toBe('')
    const make = () => createPinger(`hc-ping.com/${PING_SECRET}`, log.logger)
    expect(make).toThrow(ConfigError)
    expect(make).toThrow('FERRY_PING_URL is not a valid URL')
  })
})

describe('runUuid', () => {
  it('derives the canonical lowercase UUIDv5 Healthchecks requires, the same for the same run', () => {
    // Python: uuid.uuid5(uuid.NAMESPACE_URL, 'ferry:run-20240501T000100Z-abc123')
    expect(runUuid('run-20240501T000100Z-abc123')).toBe('a92493ee-0858-5324-9ee3-20927482e459')
    expect(runUuid(runId)).toBe(rid)
    expect(runUuid('run-other')).not.toBe(rid)
  })

  it('passes a run id that already is a UUID through, lowercased', () => {
    expect(runUuid('A92493EE-0858-5324-9EE3-20927482E459')).toBe('a92493ee-0858-5324-9ee3-20927482e459')
  })
})

describe('truncateUtf8', () => {
  it('leaves short text alone and never splits a multi-byte character', () => {
    expect(truncateUtf8('short', 10)).toBe('short')
    const cut = truncateUtf8('€'.repeat(10), 20) // 30 bytes; the marker takes 14
    expect(cut).toBe('€€\n… truncated')
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(20)
  })
})
