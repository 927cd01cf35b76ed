import { connect, createServer, type Server, type Socket } from 'node:net'

/**
 * A loopback TCP proxy for fault injection: clients connect to it, it forwards every byte to a target
 * (moto, the Pub/Sub emulator, any TCP server) and back, unless told to misbehave:
 *
 * - `resetAll()`   destroys every open connection with a TCP RST, as a crashed peer or a dropped NAT entry
 * - `pause()`      the service is down: open connections are reset and new ones are reset as soon as
 *                  they are accepted (the client sees ECONNRESET) until `resume()`
 * - `pause('hold')` the network stalls: nothing is forwarded either way and new connections wait,
 *                  nothing is lost; `resume()` lets the held bytes through in order
 * - `latency(ms)`  every chunk, each way, is delayed by `ms` (order kept); `latency(0)` releases the queue
 * - `blackhole()`  connections are accepted and kept open but whatever is sent is swallowed and nothing
 *                  comes back, the case only timeouts catch; `heal()` resets the connections that lost bytes
 * - `heal()`       clears every fault
 *
 * Loopback only. Counters in `stats` say how many faults were actually injected.
 */
export interface FaultProxyOptions {
  /** `host:port`, `http://host:port` or `{ host, port }` */
  target: string | { host: string; port: number }
  /** port to listen on; default 0 (random) */
  port?: number
}

export interface FaultProxyStats {
  /** connections accepted and forwarded (or held) */
  accepted: number
  /** connections reset at accept while paused */
  refused: number
  /** open connections reset by resetAll(), pause() or heal() after a blackhole */
  reset: number
  /** chunks forwarded late because of latency() or pause('hold') */
  delayed: number
  /** bytes swallowed by blackhole() */
  discarded: number
  bytesToTarget: number
  bytesFromTarget: number
  /** connections open now */
  open: number
}

export type PauseMode = 'drop' | 'hold'

export interface FaultProxy {
  /** always 127.0.0.1 */
  host: string
  port: number
  /** `127.0.0.1:PORT`, e.g. for PUBSUB_EMULATOR_HOST */
  address: string
  /** `http://127.0.0.1:PORT`, e.g. for AWS_ENDPOINT_URL */
  url: string
  readonly stats: FaultProxyStats
  /** Resets every open connection; returns how many. */
  resetAll(): number
  pause(mode?: PauseMode): void
  resume(): void
  latency(ms: number): void
  blackhole(on?: boolean): void
  heal(): void
  close(): Promise<void>
}

interface Pending {
  at: number
  arrived: number
  /** null: the sender half-closed (FIN), to pass on after the data before it */
  chunk: Buffer | null
}

interface Direction {
  queue: Pending[]
  timer: NodeJS.Timeout | undefined
}

interface Connection {
  client: Socket
  upstream: Socket | undefined
  /** lost bytes to a blackhole: its stream is corrupt and must not be healed */
  swallowed: boolean
  up: Direction
  down: Direction
}

const LOOPBACK = '127.0.0.1'

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = parseTarget(options.target)
  const stats: FaultProxyStats = {
    accepted: 0,
    refused: 0,
    reset: 0,
    delayed: 0,
    discarded: 0,
    bytesToTarget: 0,
    bytesFromTarget: 0,
    open: 0,
  }
  const connections = new Set<Connection>()
  let paused: PauseMode | undefined
  let latencyMs = 0
  let blackholing = false

  // Half-open allowed on both legs: each side's FIN is passed on in order, after the bytes before it.
  const server: Server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => {
    client.on('error', () => undefined)
    if (paused === 'drop') {
      stats.refused++
      reset(client)
      return
    }
    stats.accepted++
    const conn: Connection = {
      client,
      upstream: undefined,
      swallowed: false,
      up: { queue: [], timer: undefined },
      down: { queue: [], timer: undefined },
    }
    connections.add(conn)
    stats.open = connections.size
    client.on('close', (hadError) => closed(conn, hadError))
    client.on('data', (chunk: Buffer) => receive(conn, conn.up, chunk))
    client.on('end', () => receive(conn, conn.up, null))
    if (paused !== 'hold') open(conn)
  })

  /** Connects upstream and starts reading from the client. */
  function open(conn: Connection): void {
    const upstream = connect({ host: target.host, port: target.port, allowHalfOpen: true })
    conn.upstream = upstream
    upstream.on('error', () => undefined)
    upstream.on('close', (hadError) => closed(conn, hadError))
    upstream.on('data', (chunk: Buffer) => receive(conn, conn.down, chunk))
    upstream.on('end', () => receive(conn, conn.down, null))
    conn.client.resume()
    // Bytes that arrived while the connection was held wait in its queue.
    pump(conn, conn.up)
  }

  function receive(conn: Connection, dir: Direction, chunk: Buffer | null): void {
    if (chunk && (blackholing || conn.swallowed)) {
      conn.swallowed = true
      stats.discarded += chunk.byteLength
      return
    }
    const now = Date.now()
    if (dir.queue.length === 0 && latencyMs <= 0 && !paused && conn.upstream) {
      deliver(conn, dir, chunk)
      return
    }
    if (chunk) stats.delayed++
    dir.queue.push({ at: now + latencyMs, arrived: now, chunk })
    pump(conn, dir)
  }

  function pump(conn: Connection, dir: Direction): void {
    if (dir.timer) clearTimeout(dir.timer)
    dir.timer = undefined
    if (paused || !conn.upstream) return
    const now = Date.now()
    while (dir.queue.length > 0 && (dir.queue[0] as Pending).at <= now) {
      deliver(conn, dir, (dir.queue.shift() as Pending).chunk)
    }
    const next = dir.queue[0]
    if (next) dir.timer = setTimeout(() => pump(conn, dir), next.at - now)
  }

  function deliver(conn: Connection, dir: Direction, chunk: Buffer | null): void {
    const to = dir === conn.up ? conn.upstream : conn.client
    if (!to || to.destroyed) return
    if (chunk === null) {
      to.end()
      return
    }
    if (dir === conn.up) stats.bytesToTarget += chunk.byteLength
    else stats.bytesFromTarget += chunk.byteLength
    to.write(chunk)
  }

  /**
   * One leg closed. Broken (error, RST): break the other leg too. Clean: its FIN is queued for the
   * other leg, which closes once the peer answers with its own; the connection is forgotten then.
   */
  function closed(conn: Connection, hadError: boolean): void {
    if (hadError) teardown(conn, true)
    else if (conn.client.destroyed && (!conn.upstream || conn.upstream.destroyed)) teardown(conn, false)
  }

  function teardown(conn: Connection, rst: boolean): void {
    if (!connections.delete(conn)) return
    stats.open = connections.size
    for (const dir of [conn.up, conn.down]) {
      if (dir.timer) clearTimeout(dir.timer)
      dir.queue.length = 0
    }
    for (const socket of [conn.client, conn.upstream]) {
      if (!socket || socket.destroyed) continue
      if (rst) reset(socket)
      else socket.destroy()
    }
  }

  /** An injected reset: counted. */
  function resetConnection(conn: Connection): void {
    stats.reset++
    teardown(conn, true)
  }

  function resetAll(): number {
    const open = [...connections]
    for (const conn of open) resetConnection(conn)
    return open.length
  }

  function pause(mode: PauseMode = 'drop'): void {
    paused = mode
    if (mode === 'drop') {
      resetAll()
      return
    }
    for (const conn of connections) {
      conn.client.pause()
      conn.upstream?.pause()
    }
  }

  function resume(): void {
    const was = paused
    paused = undefined
    if (was !== 'hold') return
    for (const conn of connections) {
      if (!conn.upstream) {
        open(conn)
        continue
      }
      conn.client.resume()
      conn.upstream.resume()
      pump(conn, conn.up)
      pump(conn, conn.down)
    }
  }

  function latency(ms: number): void {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`latency must be >= 0 ms, got ${ms}`)
    latencyMs = ms
    // Queued chunks are rescheduled from their arrival: latency(0) releases them now.
    for (const conn of connections) {
      for (const dir of [conn.up, conn.down]) {
        for (const pending of dir.queue) pending.at = pending.arrived + ms
        pump(conn, dir)
      }
    }
  }

  function blackhole(on = true): void {
    blackholing = on
    if (!on) for (const conn of [...connections]) if (conn.swallowed) resetConnection(conn)
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, LOOPBACK, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0

  return {
    host: LOOPBACK,
    port,
    address: `${LOOPBACK}:${port}`,
    url: `http://${LOOPBACK}:${port}`,
    stats,
    resetAll,
    pause,
    resume,
    latency,
    blackhole,
    heal() {
      blackhole(false)
      latency(0)
      resume()
    },
    close() {
      return new Promise<void>((resolve) => {
        paused = undefined
        for (const conn of [...connections]) teardown(conn, false)
        server.close(() => resolve())
      })
    },
  }
}

/** RST rather than FIN: the peer sees ECONNRESET, as when a process dies or a middlebox drops the flow. */
function reset(socket: Socket): void {
  try {
    socket.resetAndDestroy()
  } catch {
    socket.destroy()
  }
}

function parseTarget(target: FaultProxyOptions['target']): { host: string; port: number } {
  if (typeof target === 'object') return target
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? target : `tcp://${target}`)
  const port = Number(url.port)
  if (!url.hostname || !Number.isInteger(port) || port <= 0) {
    throw new Error(`fault proxy target must be host:port or a URL with a port, got ${JSON.stringify(target)}`)
  }
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port }
}
