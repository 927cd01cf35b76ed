import { createHash } from 'node:crypto'
import { deliver, type HttpSettings, parseSecretUrl, redactUrl } from './alerts/http.js'
import type { Logger } from './logger.js'

/**
 * Heartbeat pings in the Healthchecks.io convention (`<base>/start`, `<base>`, `<base>/fail`), so
 * a night that never starts, never finishes or fails is noticed by a service outside Ferry.
 * A monitoring outage must never fail the ETL: pings retry briefly, then log a warning and resolve.
 */
export interface Pinger {
  start(runId: string): Promise<void>
  /** `detail` (e.g. the summary line) shows in the check's event log */
  success(runId: string, detail?: string): Promise<void>
  /** `detail`: the summary line and the failing checks; the body is cut to PING_BODY_LIMIT */
  fail(runId: string, detail: string): Promise<void>
}

/** Self-hosted Healthchecks keeps the first 10 kB of a ping body (hosted keeps 100 kB). */
export const PING_BODY_LIMIT = 10 * 1024

/** Short: the start ping runs before the night's work, which must not wait long on a monitor. */
export const PING_HTTP: HttpSettings = {
  timeoutMs: 5000,
  retry: { maxAttempts: 3, baseMs: 500, maxMs: 5000 },
  retryAfterCapMs: 5000,
}

const TRUNCATED = '\n… truncated'

/** A no-op pinger when `url` (FERRY_PING_URL) is unset; throws ConfigError when it is not a URL. */
export function createPinger(url: string | undefined, logger: Logger, http: Partial<HttpSettings> = {}): Pinger {
  if (!url) return { start: async () => {}, success: async () => {}, fail: async () => {} }
  const base = parseSecretUrl(url, 'FERRY_PING_URL')
  const settings = { ...PING_HTTP, ...http }
  const log = logger.child({ component: 'ping' })

  async function ping(signal: 'start' | 'success' | 'fail', runId: string, detail?: string): Promise<void> {
    // The rid is an opaque UUID, so every body names the Ferry run id for whoever reads the event log.
    const body = detail === undefined ? `run ${runId}` : `run ${runId}\n${detail}`
    const request = {
      method: 'POST' as const,
      url: pingUrl(base, signal === 'success' ? '' : `/${signal}`, runUuid(runId)),
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: truncateUtf8(body, PING_BODY_LIMIT),
      what: `heartbeat ${signal}`,
    }
    try {
      await deliver(request, settings, log)
      log.debug({ signal, run_id: runId }, 'heartbeat sent')
    } catch (err) {
      log.warn({ signal, run_id: runId, endpoint: redactUrl(base), err }, 'heartbeat ping failed; the night goes on')
    }
  }

  return {
    start: (runId) => ping('start', runId),
    success: (runId, detail) => ping('success', runId, detail),
    fail: (runId, detail) => ping('fail', runId, detail),
  }
}

/** `<base><suffix>?rid=…`, keeping any query the base already has. */
function pingUrl(base: URL, suffix: string, rid: string): URL {
  const url = new URL(base.href)
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${suffix}`
  url.searchParams.set('rid', rid)
  return url
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
/** RFC 4122 URL namespace, used for name-based (v5) UUIDs */
const URL_NAMESPACE = Buffer.from('6ba7b8119dad11d180b400c04fd430c8', 'hex')

/**
 * Healthchecks only accepts `rid` as a canonical lowercase UUID, and Ferry's run ids are not UUIDs,
 * so the rid is a UUIDv5 of the run id: the same run always maps to the same rid, which pairs its
 * start with its success or fail.
 */
export function runUuid(runId: string): string {
  if (UUID.test(runId)) return runId.toLowerCase()
  const hash = createHash('sha1').update(URL_NAMESPACE).update(`ferry:${runId}`).digest()
  hash[6] = (hash[6] & 0x0f) | 0x50
  hash[8] = (hash[8] & 0x3f) | 0x80
  const hex = hash.subarray(0, 16).toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** Cuts text to at most `limit` UTF-8 bytes, on a character boundary, marking the cut. */
export function truncateUtf8(text: string, limit: number): string {
  const bytes = Buffer.from(text)
  if (bytes.length <= limit) return text
  let end = limit - Buffer.byteLength(TRUNCATED)
  // Step back off UTF-8 continuation bytes (10xxxxxx) so no character is split.
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--
  return bytes.subarray(0, end).toString() + TRUNCATED
}
