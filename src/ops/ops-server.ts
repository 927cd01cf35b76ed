import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { FerryMetrics } from './metrics.js'

export interface Health {
  /** the process is alive and not wedged (liveness) */
  live: () => boolean
  /** the process is connected and consuming (readiness) */
  ready: () => boolean
}

export interface OpsServer {
  port: number
  close(): Promise<void>
}

/** /metrics (Prometheus), /healthz and /readyz for the long-running commands. */
export async function startOpsServer(
  port: number,
  metrics: FerryMetrics,
  health: Health,
  host = '127.0.0.1',
): Promise<OpsServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method !== 'GET') {
      res.writeHead(405).end()
    } else if (path === '/metrics') {
      metrics.text().then(
        (text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      )
    } else if (path === '/healthz' || path === '/readyz') {
      const ok = path === '/healthz' ? health.live() : health.ready()
      res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain' }).end(ok ? 'ok\n' : 'not ready\n')
    } else {
      res.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, resolve)
  })
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
