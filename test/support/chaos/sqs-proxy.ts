import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs'

/** One SQS message as the proxy saw it delivered. */
export interface SeenMessage {
  messageId: string
  receiptHandle: string
  body: string
}

export interface SqsProxyHooks {
  /**
   * Before a request goes to the queue. Return 'drop' to never send it: the client's connection is
   * destroyed instead, as if the client had crashed just before sending.
   */
  beforeRequest?: (action: string, body: Record<string, unknown>) => Promise<'forward' | 'drop'> | 'forward' | 'drop'
  /**
   * After the queue answered, before the client gets the answer. Return 'drop' to destroy the client's
   * connection instead: the queue did the work, the client never learns of it.
   */
  beforeResponse?: (action: string, response: Record<string, unknown>) => 'forward' | 'drop'
  /** After the client got the answer. */
  afterResponse?: (action: string, response: Record<string, unknown>) => void
}

/**
 * An HTTP proxy in front of moto's SQS (AWS JSON protocol) for crash tests. It forwards every request
 * untouched and keeps track of the leases: messages a ReceiveMessage handed out and no successful
 * DeleteMessageBatch has removed. After the client is SIGKILLed those leases would only expire after
 * the drain's 120 s visibility timeout; `releaseLeases` ends them at once (ChangeMessageVisibility 0),
 * which is what the timeout does, only sooner. Hooks let a test kill the client at exact protocol
 * points (a batch received, a delete about to be sent).
 */
export class SqsProxy {
  readonly url: string
  hooks: SqsProxyHooks = {}
  /** receipt handle -> message: delivered and not (yet) deleted */
  readonly leases = new Map<string, SeenMessage>()
  /** message id -> body, of every message ever delivered */
  readonly bodies = new Map<string, string>()
  private readonly server: Server
  private readonly upstream: URL
  private inFlight = 0
  private idleWaiters: Array<() => void> = []

  private constructor(server: Server, upstream: string) {
    this.server = server
    this.upstream = new URL(upstream)
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  }

  static async start(upstream: string): Promise<SqsProxy> {
    let proxy: SqsProxy | undefined
    const server = createServer((req, res) => {
      void proxy?.handle(req, res).catch(() => res.destroy())
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    proxy = new SqsProxy(server, upstream)
    return proxy
  }

  /** Resolves once no request is being forwarded (a killed client's last long poll included). */
  async idle(): Promise<void> {
    if (this.inFlight === 0) return
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve))
  }

  /** Makes every leased message visible again at once; handles the queue no longer knows are ignored. */
  async releaseLeases(sqs: SQSClient, queueUrl: string): Promise<number> {
    await this.idle()
    const handles = [...this.leases.keys()]
    this.leases.clear()
    let released = 0
    for (let start = 0; start < handles.length; start += 10) {
      const chunk = handles.slice(start, start + 10)
      const result = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((ReceiptHandle, i) => ({ Id: String(i), ReceiptHandle, VisibilityTimeout: 0 })),
        }),
      )
      released += result.Successful?.length ?? 0
    }
    return released
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve())
      this.server.closeAllConnections()
    })
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++
    try {
      const raw = await readBody(req)
      const target = String(req.headers['x-amz-target'] ?? '')
      const action = target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : ''
      const body = action ? parseJson(raw) : {}
      if (action && (await this.hooks.beforeRequest?.(action, body)) === 'drop') {
        res.destroy()
        return
      }
      const upstream = await forward(this.upstream, req, raw)
      const response = action && upstream.status < 300 ? parseJson(upstream.body) : {}
      if (action === 'ReceiveMessage') this.received(response)
      if (action === 'DeleteMessageBatch') this.deleted(body, response)
      if (action && this.hooks.beforeResponse?.(action, response) === 'drop') {
        res.destroy()
        return
      }
      res.writeHead(upstream.status, upstream.headers)
      res.end(upstream.body)
      if (action) this.hooks.afterResponse?.(action, response)
    } finally {
      if (--this.inFlight === 0) {
        const waiters = this.idleWaiters
        this.idleWaiters = []
        for (const wake of waiters) wake()
      }
    }
  }

  private received(response: Record<string, unknown>): void {
    for (const m of messagesOf(response)) {
      this.leases.set(m.receiptHandle, m)
      this.bodies.set(m.messageId, m.body)
    }
  }

  private deleted(request: Record<string, unknown>, response: Record<string, unknown>): void {
    const entries = (request.Entries ?? []) as Array<{ Id: string; ReceiptHandle: string }>
    const ok = new Set(((response.Successful ?? []) as Array<{ Id: string }>).map((s) => s.Id))
    for (const entry of entries) if (ok.has(entry.Id)) this.leases.delete(entry.ReceiptHandle)
  }
}

/** The messages of a ReceiveMessage response. */
export function messagesOf(response: Record<string, unknown>): SeenMessage[] {
  const messages = (response.Messages ?? []) as Array<{ MessageId?: string; ReceiptHandle?: string; Body?: string }>
  return messages.flatMap((m) =>
    m.MessageId && m.ReceiptHandle
      ? [{ messageId: m.MessageId, receiptHandle: m.ReceiptHandle, body: m.Body ?? '' }]
      : [],
  )
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function parseJson(raw: Buffer): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(raw.toString('utf8') || '{}')
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

interface Upstream {
  status: number
  headers: Record<string, string | string[]>
  body: Buffer
}

function forward(upstream: URL, req: IncomingMessage, body: Buffer): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: upstream.host, 'content-length': String(body.byteLength) }
    const out = request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers },
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
          const payload = Buffer.concat(chunks)
          copied['content-length'] = String(payload.byteLength)
          resolve({ status: res.statusCode ?? 502, headers: copied, body: payload })
        })
      },
    )
    out.on('error', reject)
    out.end(body)
  })
}
