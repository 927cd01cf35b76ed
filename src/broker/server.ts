import { createServer, type Server, type Socket } from 'node:net'
import { ProtocolError } from '../errors.js'
import type { Logger } from '../ops/logger.js'
import { apiVersions } from './apis/api-versions.js'
import type { BrokerCore } from './broker.js'
import { ENDPOINTS, SUPPORTED_VERSIONS } from './handlers/index.js'
import { ErrorCode } from './protocol/error-codes.js'
import { Reader } from './protocol/reader.js'
import { Writer } from './protocol/writer.js'

/** api_key + api_version + correlation_id: a frame shorter than this cannot be answered. */
const MIN_FRAME = 8
/** Kafka's socket.request.max.bytes default. A bigger length prefix is garbage, not a reason to buffer. */
const MAX_FRAME = 100 * 1024 * 1024
/** Frames parsed ahead of the one being served before reading from the socket pauses. */
const MAX_QUEUED = 64

/**
 * One client connection. Requests are served strictly one at a time, so responses leave in request
 * order even while a Fetch long-polls (Kafka's per-connection ordering guarantee). A bad length
 * prefix or an unreadable header closes this connection only.
 */
class Connection {
  private chunks: Buffer[] = []
  private buffered = 0
  private readonly queue: Buffer[] = []
  private serving: Promise<void> | null = null
  private readonly abort = new AbortController()
  private readonly clientHost: string
  private readonly socket: Socket
  private readonly core: BrokerCore
  private readonly logger: Logger
  readonly closed: Promise<void>

  constructor(socket: Socket, core: BrokerCore, logger: Logger) {
    this.socket = socket
    this.core = core
    this.logger = logger
    this.clientHost = `/${socket.remoteAddress ?? 'unknown'}`
    socket.setNoDelay(true)
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()))
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    socket.on('error', (err) => this.logger.debug({ err, client: this.clientHost }, 'connection error'))
    socket.once('close', () => this.abort.abort())
  }

  private receive(chunk: Buffer): void {
    this.chunks.push(chunk)
    this.buffered += chunk.length
    while (this.buffered >= 4) {
      const head = this.chunks[0]!.length >= 4 ? this.chunks[0]! : Buffer.concat(this.chunks)
      const size = head.readInt32BE(0)
      if (size < MIN_FRAME || size > MAX_FRAME) {
        this.logger.warn({ client: this.clientHost, size }, 'bad frame length: closing connection')
        this.destroy()
        return
      }
      if (this.buffered < 4 + size) break
      const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered)
      this.queue.push(all.subarray(4, 4 + size))
      const rest = all.subarray(4 + size)
      this.chunks = rest.length > 0 ? [rest] : []
      this.buffered = rest.length
    }
    if (this.queue.length > MAX_QUEUED) this.socket.pause()
    this.serving ??= this.serve().finally(() => {
      this.serving = null
    })
  }

  private async serve(): Promise<void> {
    try {
      for (let frame = this.queue.shift(); frame && !this.socket.destroyed; frame = this.queue.shift()) {
        if (this.queue.length < MAX_QUEUED / 2 && this.socket.isPaused()) this.socket.resume()
        const response = await this.respond(frame)
        if (response && !this.socket.destroyed && !this.write(response)) await this.drained()
      }
    } catch (err) {
      const level = err instanceof ProtocolError ? 'warn' : 'error'
      this.logger[level]({ err, client: this.clientHost }, 'unreadable request: closing connection')
      this.destroy()
    }
  }

  private async respond(frame: Buffer): Promise<Buffer[] | null> {
    const r = new Reader(frame)
    const apiKey = r.int16()
    const version = r.int16()
    const correlationId = r.int32()
    const endpoint = ENDPOINTS.get(apiKey)
    const w = new Writer(64).int32(correlationId)
    if (!endpoint || version < endpoint.minVersion || version > endpoint.maxVersion) {
      this.logger.debug({ apiKey, version, client: this.clientHost }, 'unsupported API version')
      // KIP-511: an unsupported ApiVersions gets a v0 body listing what is supported, so the
      // client can retry lower. Other APIs have no shared layout; error_code first is the convention.
      if (apiKey === apiVersions.key) {
        apiVersions.encodeResponse(w, 0, { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: SUPPORTED_VERSIONS })
      } else {
        w.int16(ErrorCode.UNSUPPORTED_VERSION)
      }
      return frameChunks(w.toChunks())
    }
    const clientId = r.nullableString() ?? ''
    if (endpoint.flexibleVersion !== undefined && version >= endpoint.flexibleVersion) r.skipTaggedFields()
    const body = await endpoint.serve(r, version, this.core, {
      clientId,
      clientHost: this.clientHost,
      signal: this.abort.signal,
    })
    if (!body) return null
    // Response header v0 for every implemented version: none is flexible except ApiVersions v3,
    // whose response header is v0 by definition.
    return frameChunks([...w.toChunks(), ...body.toChunks()])
  }

  private write(chunks: Buffer[]): boolean {
    this.socket.cork()
    let ok = true
    for (const chunk of chunks) ok = this.socket.write(chunk)
    this.socket.uncork()
    return ok
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.socket.off('drain', done)
        this.socket.off('close', done)
        resolve()
      }
      this.socket.on('drain', done)
      this.socket.on('close', done)
    })
  }

  destroy(): void {
    this.queue.length = 0
    this.abort.abort()
    this.socket.destroy()
  }

  /** Resolves once the socket is closed and no request is being served. */
  async finished(): Promise<void> {
    await this.closed
    await this.serving
  }
}

function frameChunks(chunks: Buffer[]): Buffer[] {
  let size = 0
  for (const chunk of chunks) size += chunk.length
  const prefix = Buffer.allocUnsafe(4)
  prefix.writeInt32BE(size, 0)
  return [prefix, ...chunks]
}

export class BrokerServer {
  private readonly server: Server
  private readonly connections: Set<Connection>
  readonly port: number

  private constructor(server: Server, connections: Set<Connection>, port: number) {
    this.server = server
    this.connections = connections
    this.port = port
  }

  static listen(host: string, port: number, core: BrokerCore, logger: Logger): Promise<BrokerServer> {
    const connections = new Set<Connection>()
    const server = createServer((socket) => {
      const connection = new Connection(socket, core, logger)
      connections.add(connection)
      void connection.closed.then(() => connections.delete(connection))
    })
    return new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        server.on('error', (err) => logger.error({ err }, 'broker server error'))
        const address = server.address()
        resolve(new BrokerServer(server, connections, typeof address === 'object' && address ? address.port : port))
      })
    })
  }

  /** Stops listening, ends every connection (and its pending long poll) and waits for in-flight requests. */
  async close(): Promise<void> {
    const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()))
    for (const connection of this.connections) connection.destroy()
    await Promise.all([...this.connections].map((c) => c.finished()))
    await stopped
  }
}
