import { setTimeout as sleep } from 'node:timers/promises'
import { type RetryPolicy, withRetry } from '../../core/retry.js'
import { ConfigError, errorMessage, FerryError } from '../../errors.js'
import type { Logger } from '../logger.js'

/**
 * One HTTP delivery to a monitoring endpoint (Slack, a webhook, a heartbeat), with a timeout and
 * bounded retries. Webhook and ping URLs carry their credential in the path, so nothing this
 * module logs or throws contains more of the URL than its origin, nor any header value.
 */

export interface HttpSettings {
  /** per attempt, covering connect, headers and body */
  timeoutMs: number
  retry: RetryPolicy
  /** the longest Retry-After wait honoured: a server asking for an hour must not hold the night */
  retryAfterCapMs: number
}

export interface HttpRequest {
  method: 'GET' | 'POST'
  url: URL
  headers?: Record<string, string>
  body?: string
  /** what is being delivered, for log lines: 'slack alert', 'heartbeat start' */
  what: string
}

/**
 * Defaults for alert sinks. Slack allows about one message per second per webhook (the dispatcher
 * paces sends) and its 429s carry a Retry-After worth honouring.
 */
export const ALERT_HTTP: HttpSettings = {
  timeoutMs: 10_000,
  retry: { maxAttempts: 4, baseMs: 1000, maxMs: 10_000 },
  retryAfterCapMs: 30_000,
}

const BODY_EXCERPT = 200

/** What logs and errors may show of a secret URL: scheme and host. The path is the credential. */
export function redactUrl(url: URL): string {
  return `${url.origin}/…`
}

/** Parses a secret URL from config; the error names the setting, never the value. */
export function parseSecretUrl(value: string, setting: string): URL {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    // No cause: Node's ERR_INVALID_URL carries the whole input, which pino would serialise.
    throw new ConfigError(`${setting} is not a valid URL`)
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`${setting} must be an http(s) URL, got ${url.protocol}`)
  }
  return url
}

/**
 * Sends the request until it gets a 2xx. 429, 408, 5xx, timeouts and network errors are retried
 * (a 429's Retry-After is the minimum wait, up to the cap); other statuses fail at once, since a
 * 4xx means the URL or the payload is wrong. Throws FerryError FERRY_ALERT.
 */
export async function deliver(request: HttpRequest, settings: HttpSettings, logger: Logger): Promise<void> {
  const endpoint = redactUrl(request.url)
  const scrub = scrubber(request)
  let retryAfterExtraMs = 0
  await withRetry(
    settings.retry,
    async () => {
      if (retryAfterExtraMs > 0) await sleep(retryAfterExtraMs)
      retryAfterExtraMs = 0
      await attempt(request, settings.timeoutMs, endpoint, scrub)
    },
    {
      onRetry: (err, attemptNo, delayMs) => {
        const asked = err instanceof FerryError ? err.context.retryAfterMs : undefined
        const retryAfterMs = typeof asked === 'number' ? Math.min(asked, settings.retryAfterCapMs) : 0
        // withRetry already waits delayMs; top that up to what the server asked for.
        retryAfterExtraMs = Math.max(0, retryAfterMs - delayMs)
        logger.warn(
          { endpoint, attempt: attemptNo, waitMs: Math.max(delayMs, retryAfterMs), err },
          `${request.what} failed, retrying`,
        )
      },
    },
  )
}

async function attempt(request: HttpRequest, timeoutMs: number, endpoint: string, scrub: (text: string) => string) {
  let status: number
  let retryAfter: string | null
  let text: string
  try {
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(timeoutMs),
      // A redirected POST turns into a GET and loses the alert; a webhook that redirects is misconfigured.
      redirect: 'manual',
    })
    status = response.status
    retryAfter = response.headers.get('retry-after')
    text = await response.text()
  } catch (err) {
    // The raw error stays out of `cause`: undici puts request details on it that pino would log.
    const timedOut = err instanceof Error && err.name === 'TimeoutError'
    throw new FerryError(
      'FERRY_ALERT',
      timedOut
        ? `${request.method} ${endpoint} timed out after ${timeoutMs} ms`
        : `${request.method} ${endpoint} failed: ${scrub(errorMessage(err))}`,
      { retryable: true, context: { endpoint, ...(timedOut ? { timeoutMs } : {}) } },
    )
  }
  if (status >= 200 && status < 300) return
  // Scrub, then cut: cutting first could split a secret at the edge and leave its first part behind.
  const excerpt = scrub(text.trim()).slice(0, BODY_EXCERPT)
  const retryAfterMs = status === 429 ? parseRetryAfter(retryAfter, Date.now()) : undefined
  throw new FerryError(
    'FERRY_ALERT',
    `${request.method} ${endpoint} answered ${status}${excerpt ? `: ${excerpt}` : ''}`,
    {
      retryable: status === 408 || status === 429 || status >= 500,
      context: { endpoint, status, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) },
    },
  )
}

/** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null) return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

/**
 * Removes the URL, its path and the header values from text a server or the network stack
 * produced, in case either echoes them (an error page quoting the request line, for instance).
 */
function scrubber(request: HttpRequest): (text: string) => string {
  const { href, pathname, search } = request.url
  const secrets = [
    href,
    pathname + search,
    // Long segments alone too (tokens, UUIDs); short ones like `services` are not worth mangling text for.
    ...pathname.split('/').filter((segment) => segment.length > 8),
    ...Object.entries(request.headers ?? {})
      .filter(([name]) => name.toLowerCase() !== 'content-type')
      // The whole value, and its long words alone: a server may quote the token without `Bearer `.
      .flatMap(([, value]) => [value, ...value.split(/\s+/).filter((word) => word.length > 8)]),
  ]
    .filter((secret) => secret.length > 1)
    .sort((a, b) => b.length - a.length)
  return (text) => secrets.reduce((out, secret) => out.split(secret).join('…'), text)
}
