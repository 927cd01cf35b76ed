import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as sleep } from 'node:timers/promises'
import { decodeSegment, type RequestContext, type UploadSession } from './gcs-server/context.js'
import { type FaultRule, type FaultSpec, Faults, parseFaultSpec } from './gcs-server/faults.js'
import { errorForStatus, GcsError, notFound, parseJson, readBody, sendError, sendJson } from './gcs-server/http.js'
import { handleBuckets, handleList, handleObject } from './gcs-server/json-api.js'
import { GcsStore } from './gcs-server/store.js'
import { handleUpload } from './gcs-server/uploads.js'

export { crc32c, crc32cBase64 } from './gcs-server/crc32c.js'
export type { FaultRule, FaultSpec }

/**
 * An in-memory Google Cloud Storage JSON-API server for tests, good enough for @google-cloud/storage
 * 7.x pointed at it with `apiEndpoint` or `STORAGE_EMULATOR_HOST` (both `/storage/v1/b/...` and the
 * emulator-style `/b/...` paths work). Buckets, object metadata, media download with `x-goog-hash`
 * and ranges, media/multipart/resumable uploads, listing with prefix/delimiter/pages, delete, and
 * generation/metageneration preconditions.
 *
 * Fault control, from any process (test workers do not share memory with the global setup):
 *   POST   /_fault   JSON FaultSpec, e.g. {"bucket":"b1","failNext":3,"status":503}
 *                    {"failRate":0.1,"status":503,"latencyMs":200,"match":"GET "}
 *                    {"bucket":"b1","partialChunks":2}  (resumable chunks half persisted -> 308 + Range)
 *                    {"bucket":"b1","failNext":1,"reset":true}  (drop the connection instead)
 *                    {"bucket":"b1","corruptNext":1}  (flip a byte of the next media download)
 *                    One rule per bucket (plus one global rule without `bucket`); posting again replaces it.
 *                    Answers 200 {"rule": {...}}; 400 on an unknown field or a bad value.
 *   GET    /_fault   200 {"rules":[...]}, each with `matched` and `injected` counters
 *   DELETE /_fault   removes every rule; `DELETE /_fault?bucket=b1` only that bucket's rule
 *   POST   /_reset   drops every bucket, upload session and fault rule
 * Test files run in parallel against one server: scope faults with `bucket` and never `_reset` in a test.
 * Injected failures answer with GCS error JSON `{error:{code,message,errors:[{reason,...}]}}`.
 */
export interface GcsTestServer {
  /** `http://127.0.0.1:PORT`, the value for `apiEndpoint` or `STORAGE_EMULATOR_HOST` */
  url: string
  port: number
  close(): Promise<void>
}

export async function startGcsServer(options: { host?: string; port?: number } = {}): Promise<GcsTestServer> {
  const host = options.host ?? '127.0.0.1'
  if (!/^(127\.\d+\.\d+\.\d+|::1|localhost)$/.test(host)) {
    throw new Error(`the GCS test server listens on loopback only, not ${host}`)
  }
  const store = new GcsStore()
  const faults = new Faults()
  const sessions = new Map<string, UploadSession>()
  let url = ''
  const server = createServer((req, res) => {
    handle(req, res, { store, faults, sessions, url }).catch((err: unknown) => {
      sendError(res, err instanceof GcsError ? err : new GcsError(500, 'backendError', String(err)))
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  return {
    url,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        server.closeAllConnections()
      }),
  }
}

type ServerState = Pick<RequestContext, 'store' | 'faults' | 'sessions'> & { url: string }

const BUCKET_IN_PATH = /^(?:\/upload|\/download)?(?:\/storage\/v1)?\/b\/([^/]+)/

async function handle(req: IncomingMessage, res: ServerResponse, state: ServerState): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost')
  const path = url.pathname
  if (path === '/_fault' || path === '/_reset') return control(req, res, url, state)
  const bucketMatch = BUCKET_IN_PATH.exec(path)
  const bucket = bucketMatch ? decodeSegment(bucketMatch[1]!) : undefined
  const requestLine = `${req.method} ${path}${url.search}`
  const decision = state.faults.decide(requestLine, bucket)
  if (decision.latencyMs > 0) await sleep(decision.latencyMs)
  if (decision.fail?.reset) {
    req.socket.destroy()
    return
  }
  if (decision.fail) {
    await readBody(req)
    throw errorForStatus(decision.fail.status)
  }
  const baseUrl = req.headers.host ? `http://${req.headers.host}` : state.url
  const ctx: RequestContext = { ...state, req, res, url, requestLine, baseUrl }
  const upload = /^\/upload\/storage\/v1\/b\/([^/]+)\/o\/?$/.exec(path)
  if (upload) return handleUpload(ctx, decodeSegment(upload[1]!))
  // The SDK uses `/storage/v1/b/...` with `apiEndpoint`, and `/b/...` with STORAGE_EMULATOR_HOST.
  const api = path.replace(/^(?:\/download)?\/storage\/v1(?=\/)/, '')
  if (api === '/b' || api === '/b/') return handleBuckets(ctx, undefined)
  const object = /^\/b\/([^/]+)\/o\/(.+)$/.exec(api)
  if (object) return handleObject(ctx, decodeSegment(object[1]!), decodeSegment(object[2]!))
  const objects = /^\/b\/([^/]+)\/o\/?$/.exec(api)
  if (objects) return handleList(ctx, decodeSegment(objects[1]!))
  const bucketOnly = /^\/b\/([^/]+)\/?$/.exec(api)
  if (bucketOnly) return handleBuckets(ctx, decodeSegment(bucketOnly[1]!))
  throw notFound(`Not Found: ${req.method} ${path}`)
}

async function control(req: IncomingMessage, res: ServerResponse, url: URL, state: ServerState): Promise<void> {
  const body = await readBody(req)
  if (url.pathname === '/_reset' && req.method === 'POST') {
    state.store.reset()
    state.sessions.clear()
    state.faults.clear()
    res.writeHead(204).end()
    return
  }
  if (url.pathname === '/_fault') {
    if (req.method === 'POST') {
      sendJson(res, 200, { rule: state.faults.set(parseFaultSpec(parseJson(body))) })
      return
    }
    if (req.method === 'GET') {
      sendJson(res, 200, { rules: state.faults.list() })
      return
    }
    if (req.method === 'DELETE') {
      state.faults.clear(url.searchParams.get('bucket') ?? undefined)
      res.writeHead(204).end()
      return
    }
  }
  throw new GcsError(405, 'methodNotAllowed', `Method ${req.method ?? '?'} is not supported on ${url.pathname}`)
}

// ---------------------------------------------------------------------------------------------
// Client helpers for tests (they run in worker processes; these talk to the control endpoints).

/** Installs a fault rule; returns it as the server stored it. */
export async function setGcsFault(serverUrl: string, spec: FaultSpec): Promise<FaultRule> {
  const res = await fetch(`${serverUrl}/_fault`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(spec),
  })
  if (!res.ok) throw new Error(`POST /_fault failed: ${res.status} ${await res.text()}`)
  return ((await res.json()) as { rule: FaultRule }).rule
}

/** The current fault rules with their `matched`/`injected` counters. */
export async function getGcsFaults(serverUrl: string): Promise<FaultRule[]> {
  const res = await fetch(`${serverUrl}/_fault`)
  if (!res.ok) throw new Error(`GET /_fault failed: ${res.status}`)
  return ((await res.json()) as { rules: FaultRule[] }).rules
}

/** Removes the fault rule of one bucket, or all rules when no bucket is given. */
export async function clearGcsFaults(serverUrl: string, bucket?: string): Promise<void> {
  const query = bucket === undefined ? '' : `?bucket=${encodeURIComponent(bucket)}`
  const res = await fetch(`${serverUrl}/_fault${query}`, { method: 'DELETE' })
  if (!res.ok) throw new Error(`DELETE /_fault failed: ${res.status}`)
}
