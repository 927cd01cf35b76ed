import { mkdtempSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadConfig } from '../../../src/config/load.js'
import { ConfigError, FerryError } from '../../../src/errors.js'
import { deliver, type HttpRequest } from '../../../src/ops/alerts/http.js'
import { createLogger } from '../../../src/ops/logger.js'
import { createNightMonitor } from '../../../src/ops/night-monitor.js'

/**
 * Where a secret could be echoed back into Ferry's own output: a configuration error quoting the bad
 * value, a logged config object, and an HTTP endpoint whose error page quotes the request.
 */

const MARK = /planted/i

function memoryLogger() {
  const chunks: string[] = []
  const logger = createLogger({ level: 'trace', destination: { write: (line: string) => void chunks.push(line) } })
  return { logger, text: () => chunks.join('') }
}

/** Everything a caller or pino could print of an error: message, problems, JSON, stack, the logged line. */
function everythingAbout(err: unknown): string {
  const { logger, text } = memoryLogger()
  logger.error({ err }, 'failed')
  const e = err as Error & { problems?: string[] }
  return [e.message, e.stack, JSON.stringify(err), JSON.stringify(e.problems ?? []), text()].join('\n')
}

function configError(load: () => unknown): ConfigError {
  try {
    load()
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return err as ConfigError
  }
  throw new Error('expected a ConfigError')
}

describe('a bad secret setting is named, never quoted', () => {
  const badValues = [
    'not-a-url-PLANTED',
    'ftp://hooks.invalid/PLANTED',
    'PLANTED',
    'javascript:alert("PLANTED")',
    ' https://hooks.invalid/PLANTED',
  ]
  const variables = {
    FERRY_SLACK_WEBHOOK_URL: 'slackWebhookUrl',
    FERRY_ALERT_WEBHOOK_URL: 'webhookUrl',
    FERRY_PING_URL: 'pingUrl',
  }

  it('in the environment', () => {
    for (const [variable, field] of Object.entries(variables)) {
      for (const value of badValues) {
        const err = configError(() => loadConfig({ env: { [variable]: value }, cwd: tmpdir() }))
        expect(err.message, `${variable}=${value}`).toContain(field)
        expect(everythingAbout(err), `${variable}=${value}`).not.toMatch(MARK)
      }
    }
  })

  it('in a config file, alongside other errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-secret-config-'))
    const file = join(dir, 'ferry.config.json')
    writeFileSync(
      file,
      JSON.stringify({
        monitor: { slackWebhookUrl: 'PLANTED-1', webhookUrl: 'PLANTED-2', pingUrl: 'PLANTED-3', extra: 'x' },
        work: { maxAttempts: 'three' },
      }),
    )
    const err = configError(() => loadConfig({ env: { FERRY_ALERT_WEBHOOK_AUTHORIZATION: 'Bearer PLANTED' }, file }))
    expect(err.problems.length).toBeGreaterThanOrEqual(4)
    expect(everythingAbout(err)).not.toMatch(MARK)
  })

  it('when the URL passes the schema but does not parse (checked when the monitor is built)', () => {
    for (const [variable, value] of [
      ['FERRY_PING_URL', 'http://[PLANTED'],
      ['FERRY_SLACK_WEBHOOK_URL', 'https://hooks slack/PLANTED'],
      ['FERRY_ALERT_WEBHOOK_URL', 'http://%%PLANTED'],
    ] as const) {
      const config = loadConfig({ env: { [variable]: value }, cwd: tmpdir() })
      const err = configError(() => createNightMonitor(config, 'run-1', createLogger({ level: 'silent' })))
      expect(everythingAbout(err), value).not.toMatch(MARK)
    }
  })

  it('a loaded config logged whole, or its monitor section, is censored', () => {
    const config = loadConfig({
      env: {
        FERRY_SLACK_WEBHOOK_URL: 'https://hooks.invalid/services/T0/B0/PLANTEDslack',
        FERRY_ALERT_WEBHOOK_URL: 'https://hooks.invalid/PLANTED-hook',
        FERRY_ALERT_WEBHOOK_AUTHORIZATION: 'Bearer PLANTED-token',
        FERRY_PING_URL: 'https://hc-ping.invalid/PLANTED-ping',
      },
      cwd: tmpdir(),
    })
    const { logger, text } = memoryLogger()
    logger.debug({ config }, 'config')
    logger.debug(config, 'config spread')
    logger.debug({ monitor: config.monitor }, 'monitor')
    logger.child({ component: 'x' }).debug({ settings: config.monitor }, 'settings')
    expect(text()).toContain('[redacted]')
    expect(text()).not.toMatch(MARK)
  })
})

describe('an endpoint that echoes the request in its error page', () => {
  let server: Server
  let base: string
  beforeAll(async () => {
    server = createServer((req, res) => {
      const auth = req.headers.authorization ?? ''
      const key = req.headers['x-api-key'] ?? ''
      req.resume()
      req.on('end', () => {
        res.writeHead(500, { 'content-type': 'text/plain' })
        const pad = Number(req.headers['x-pad'] ?? 0)
        if (pad > 0) return void res.end(`${'x'.repeat(pad)}${req.url}`)
        res.end(
          `rejected ${req.method} http://${req.headers.host}${req.url} | path ${decodeURIComponent(req.url ?? '')} | ` +
            `authorization ${auth} | token ${auth.split(' ').at(-1)} | key ${key}`,
        )
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => {
    server.closeAllConnections()
    return new Promise<void>((resolve) => server.close(() => resolve()))
  })

  const fast = { timeoutMs: 2000, retry: { maxAttempts: 2, baseMs: 1, maxMs: 2 }, retryAfterCapMs: 0 }

  for (const [name, headers] of [
    ['a bearer token', { authorization: 'Bearer PLANTED-bearer-0123456789' }],
    ['basic credentials', { authorization: 'Basic UExBTlRFRDpwYXNzd29yZA==' }],
    ['a bare API key header', { 'x-api-key': 'PLANTED-api-key-abcdef' }],
  ] as const) {
    it(`neither the error nor the retry log quotes the path or ${name}`, async () => {
      const { logger, text } = memoryLogger()
      const request: HttpRequest = {
        method: 'POST',
        url: new URL(`${base}/services/T0/B0/PLANTEDslack0001?token=PLANTEDquery`),
        headers: { 'content-type': 'application/json', ...headers },
        body: '{}',
        what: 'test alert',
      }
      const err = await deliver(request, fast, logger).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(FerryError)
      // The server's answer is still there, only scrubbed: the status and the words around the secrets.
      expect((err as Error).message).toContain('answered 500: rejected POST')
      expect(text()).toContain('retrying')
      // `UExBTlRFRD...` is base64 of "PLANTED:password": searched for too.
      const everything = `${everythingAbout(err)}\n${text()}`
      expect(everything).not.toMatch(MARK)
      expect(everything).not.toContain('UExBTlRFRD')
    })
  }

  it('nor a secret that straddles the end of the quoted excerpt', async () => {
    const { logger, text } = memoryLogger()
    const path = '/services/T0/B0/PLANTEDslack0001'
    // The excerpt keeps 200 characters: put the path across that edge at every offset.
    for (let pad = 200 - path.length; pad < 200; pad++) {
      const request: HttpRequest = {
        method: 'POST',
        url: new URL(`${base}${path}`),
        headers: { 'content-type': 'application/json', 'x-pad': String(pad) },
        what: 'test alert',
      }
      const err = await deliver(request, { ...fast, retry: { maxAttempts: 1, baseMs: 1 } }, logger).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect((err as Error).message).toContain('answered 500: xxx')
      expect(everythingAbout(err), `pad ${pad}`).not.toMatch(MARK)
    }
    expect(text()).not.toMatch(MARK)
  })
})
