import { Ajv } from 'ajv'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError, FerryError } from '../../../../src/errors.js'
import { ALERT_SCHEMA, createWebhookSink } from '../../../../src/ops/alerts/webhook.js'
import type { Alert } from '../../../../src/ports.js'
import { deadUrl, type HttpRecorder, startHttpRecorder } from '../../../support/http-recorder.js'
import { memoryLogger } from './fixtures.js'

/** The contract receivers code against; the lead may move it to src/schemas/messages/alert.v1.json. */
const alertSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['schema', 'severity', 'title', 'runId', 'items'],
  properties: {
    schema: { const: ALERT_SCHEMA },
    severity: { enum: ['warn', 'fail'] },
    title: { type: 'string' },
    runId: { type: 'string' },
    dataset: { type: 'string' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['key', 'check', 'observed', 'threshold', 'message'],
        properties: {
          key: { type: 'string' },
          check: { type: 'string' },
          observed: { type: 'string' },
          threshold: { type: 'string' },
          message: { type: 'string' },
          output: { type: ['string', 'null'] },
          quarantine: { type: ['string', 'null'] },
        },
      },
    },
    links: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['label', 'url'],
        properties: { label: { type: 'string' }, url: { type: 'string' } },
      },
    },
    omitted: { type: 'object', additionalProperties: { type: 'integer', minimum: 1 } },
    notes: { type: 'array', items: { type: 'string' } },
  },
}
const validate = new Ajv({ allErrors: true, strict: true }).compile(alertSchema)

const SECRET_PATH = '/hooks/alerts/TOKENabc123'
const TOKEN = 'Bearer s3cr3t-token-value'
const fast = { timeoutMs: 2000, retry: { maxAttempts: 3, baseMs: 1 }, retryAfterCapMs: 50 }

const alert: Alert = {
  severity: 'fail',
  title: 'Ferry orders: 1 file(s) failed processing',
  runId: 'run-20261124T000100Z-abc123',
  dataset: 'orders',
  items: [
    {
      key: 'landing/orders/a.csv',
      check: 'processing',
      observed: 'dead-lettered',
      threshold: 'written|quarantined',
      message: 'file was dead-lettered: bad magic bytes',
      output: null,
      quarantine: null,
    },
  ],
  omitted: { processing: 4 },
  links: [{ label: 'logs', url: 'https://logs.example/run' }],
}

let server: HttpRecorder
let log: ReturnType<typeof memoryLogger>

beforeEach(async () => {
  server = await startHttpRecorder()
  log = memoryLogger()
})

afterEach(async () => {
  await server.close()
})

function sink(url = `${server.url}${SECRET_PATH}`) {
  return createWebhookSink({ url, headers: { authorization: TOKEN }, logger: log.logger, http: fast })
}

/** Neither the URL's secret path nor the header value may appear anywhere. */
function expectNoSecrets(...captured: string[]) {
  for (const text of [...captured, log.text()]) {
    expect(text).not.toContain('TOKENabc123')
    expect(text).not.toContain('s3cr3t-token-value')
  }
}

async function rejection(promise: Promise<unknown>): Promise<FerryError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(FerryError)
  return err as FerryError
}

describe('generic webhook sink', () => {
  it('POSTs the alert as ferry.alert/v1 JSON with the configured Authorization header', async () => {
    await sink().send(alert)
    expect(server.requests).toHaveLength(1)
    const [request] = server.requests
    expect(request).toMatchObject({ method: 'POST', path: SECRET_PATH })
    expect(request?.headers.authorization).toBe(TOKEN)
    expect(request?.headers['content-type']).toBe('application/json')
    const body = JSON.parse(request?.body ?? '')
    expect(validate(body), JSON.stringify(validate.errors)).toBe(true)
    expect(body).toEqual({ schema: 'ferry.alert/v1', ...alert })
  })

  it('retries a 503 and succeeds, logging each retry without the URL path or the token', async () => {
    server.script({ status: 503, body: `upstream down for ${SECRET_PATH}` }, { status: 503 })
    await sink().send(alert)
    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'POST', 'POST'])
    const retries = log.lines().filter((l) => l.msg === 'webhook alert failed, retrying')
    expect(retries.map((l) => l.endpoint)).toEqual([`${server.url}/…`, `${server.url}/…`])
    // The server echoed the secret path in its error page: it is scrubbed before logging.
    expect(JSON.stringify(retries[0]?.err)).toContain('answered 503: upstream down for …')
    expectNoSecrets()
  })

  it('does not retry a 4xx, and the error names the origin only', async () => {
    server.script({ status: 400, body: 'invalid_payload' })
    const err = await rejection(sink().send(alert))
    expect(server.requests).toHaveLength(1)
    expect(err).toMatchObject({ code: 'FERRY_ALERT', retryable: false, context: { status: 400 } })
    expect(err.message).toBe(`POST ${server.url}/… answered 400: invalid_payload`)
    expectNoSecrets(err.message, JSON.stringify(err), err.stack ?? '')
  })

  it('treats a redirect as a misconfigured URL instead of following it as a GET', async () => {
    server.script({ status: 301, headers: { location: `${server.url}/elsewhere` } })
    const err = await rejection(sink().send(alert))
    expect(server.requests.map((r) => r.path)).toEqual([SECRET_PATH])
    expect(err).toMatchObject({ retryable: false, context: { status: 301 } })
  })

  it('gives up after the retry budget on a persistent 5xx with a retryable error', async () => {
    server.always({ status: 502 })
    const err = await rejection(sink().send(alert))
    expect(server.requests).toHaveLength(3)
    expect(err).toMatchObject({ retryable: true, context: { status: 502 } })
  })

  it('honours Retry-After on a 429, up to the cap, then delivers', async () => {
    server.script({ status: 429, headers: { 'retry-after': '3600' }, body: 'rate_limited' })
    await sink().send(alert)
    expect(server.requests).toHaveLength(2)
    const [retry] = log.lines().filter((l) => l.msg === 'webhook alert failed, retrying')
    // The server asked for an hour; the sink waited its 50 ms cap instead of holding the night.
    expect(retry).toMatchObject({ waitMs: 50, err: { context: { status: 429, retryAfterMs: 3_600_000 } } })
  })

  it('times out a server that never answers and retries', async () => {
    server.script({ status: 200, hang: true })
    const send = createWebhookSink({
      url: `${server.url}${SECRET_PATH}`,
      logger: log.logger,
      http: { ...fast, timeoutMs: 100 },
    })
    await send.send(alert)
    expect(server.requests).toHaveLength(2)
    expect(JSON.stringify(log.lines())).toContain(`POST ${server.url}/… timed out after 100 ms`)
  })

  it('reports an unreachable endpoint as retryable, without its path', async () => {
    const err = await rejection(sink(`${await deadUrl()}${SECRET_PATH}`).send(alert))
    expect(err.retryable).toBe(true)
    expect(err.message).toMatch(/^POST http:\/\/127\.0\.0\.1:\d+\/… failed: fetch failed: connect ECONNREFUSED/)
    expectNoSecrets(err.message, JSON.stringify(err))
  })

  it('rejects a malformed URL at construction without echoing it', () => {
    const make = () => createWebhookSink({ url: 'not a url TOKENabc123', logger: log.logger })
    expect(make).toThrow(ConfigError)
    expect(make).toThrow('the alert webhook URL is not a valid URL')
    expect(() => createWebhookSink({ url: 'ftp://x/TOKENabc123', logger: log.logger })).toThrow(
      'the alert webhook URL must be an http(s) URL, got ftp:',
    )
  })
})
