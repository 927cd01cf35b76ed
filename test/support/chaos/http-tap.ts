import { createServer, type IncomingHttpHeaders, type IncomingMessage, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

export interface TapRequest {
  method: string
  /** path and query, as the client sent them */
  path: string
  headers: IncomingHttpHeaders
  body: Buffer
}

export interface TapResponse {
  status: number
  headers: Record<string, string | string[]>
  body: Buffer
}

export interface TapHooks {
  /**
   * Before a request goes upstream. 'drop' never sends it: the client's connection is destroyed
   * instead, as if the client had crashed just before sending.
   */
  beforeRequest?: (req: TapRequest) => Promise<'forward' | 'drop'> | 'forward' | 'drop'
  /**
   * After the server answered, before the client gets the answer. 'drop' destroys the client's
   * connection instead: the server did the work, the client never learns of it.
   */
  beforeResponse?: (req: TapRequest, res: TapResponse) => 'forward' | 'drop'
  /** After the client got the answer. */
  afterResponse?: (req: TapRequest, res: TapResponse) => void
}

/**
 * A loopback HTTP proxy for crash tests: forwards every request untouched (buffered, so a hook sees
 * whole bodies) and lets the test act at exact protocol points, e.g. SIGKILL the client the moment
 * the server stored what it sent.
 */
export class HttpTap {
  readonly url: string
  hooks: TapHooks = {}
  private readonly server: Server
  private readonly upstream: URL
  private inFlight = 0
  private idleWaiters: Array<() => void> = []

  private constructor(server: Server, upstream: string) {
    this.server = server
    this.upstream = new URL(upstream)
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  /** `upstream`: `http://host:port` of the real server. */
  static async start(upstream: string): Promise<HttpTap> {
    let tap: HttpTap | undefined
    const server = createServer((req, res) => {
      if (!tap) return res.destroy()
      void tap.handle(req).then(
        (answer) => {
          if (!answer) return res.destroy()
          res.writeHead(answer.res.status, answer.res.headers)
          res.end(answer.res.body)
          tap?.hooks.afterResponse?.(answer.req, answer.res)
        },
        () => res.destroy(),
      )
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    tap = new HttpTap(server, upstream)
    return tap
  }

  /** Resolves once no request is being forwarded (a killed client's last long poll included). */
  async idle(): Promise<void> {
    if (this.inFlight === 0) return
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve))
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }

  private async handle(incoming: IncomingMessage): Promise<{ req: TapRequest; res: TapResponse } | undefined> {
    this.inFlight++
    try {
      const req: TapRequest = {
        method: incoming.method ?? 'GET',
        path: incoming.url ?? '/',
        headers: incoming.headers,
        body: await readBody(incoming),
      }
      if ((await this.hooks.beforeRequest?.(req)) === 'drop') return undefined
      const res = await forward(this.upstream, req)
      if (this.hooks.beforeResponse?.(req, res) === 'drop') return undefined
      return { req, res }
    } finally {
      if (--this.inFlight === 0) {
        const waiters = this.idleWaiters
        this.idleWaiters = []
        for (const wake of waiters) wake()
      }
    }
  }
}

/** A JSON body as an object; anything else as an empty one. */
export function jsonBody(body: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(body.toString('utf8') || '{}')
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function forward(upstream: URL, req: TapRequest): Promise<TapResponse> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: upstream.host, 'content-length': String(req.body.byteLength) }
    delete headers['transfer-encoding']
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.path, headers },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => {
          const copied: Record<string, string | string[]> = {}
          for (const [name, value] of Object.entries(res.headers)) {
            if (value === undefined || name === 'transfer-encoding' || name === 'connection') continue
            copied[name] = value
          }
          const body = Buffer.concat(chunks)
          copied['content-length'] = String(body.byteLength)
          resolve({ status: res.statusCode ?? 502, headers: copied, body })
        })
      },
    )
    out.on('error', reject)
    out.end(req.body)
  })
}
