import type { KafkaEventLog } from '../adapters/kafka/event-log.js'
import type { Logger } from '../ops/logger.js'
import { FerryMetrics } from '../ops/metrics.js'
import { type Health, type OpsServer, startOpsServer } from '../ops/ops-server.js'
import { type ParsedArgs, stringOpt } from './command.js'
import { parseIntOption } from './commands/broker.js'

export interface Ops {
  metrics: FerryMetrics
  server: OpsServer | undefined
  close(): Promise<void>
}

/**
 * Metrics for a command: always collected (it is cheap), served on --metrics-port when given,
 * with consumer lag refreshed in the background for the groups the command runs.
 */
export async function startOps(
  args: ParsedArgs,
  logger: Logger,
  options: { log?: KafkaEventLog; groups?: Array<{ group: string; topic: string }>; health?: Health } = {},
): Promise<Ops> {
  const metrics = new FerryMetrics()
  const raw = stringOpt(args, 'metrics-port')
  const server =
    raw === undefined
      ? undefined
      : await startOpsServer(parseIntOption(raw, 'metrics-port', 0, 65535), metrics, options.health ?? always)
  if (server) logger.info({ port: server.port }, 'metrics on http://127.0.0.1:%d/metrics', server.port)
  const refresh = async () => {
    for (const { group, topic } of options.groups ?? []) {
      for (const p of (await options.log?.lagByPartition(group, topic)) ?? []) {
        metrics.lag.set({ group, topic, partition: String(p.partition) }, Number(p.lag))
      }
    }
  }
  const timer = server && options.groups?.length ? setInterval(() => void refresh().catch(() => {}), 15_000) : undefined
  timer?.unref()
  return {
    metrics,
    server,
    async close() {
      if (timer) clearInterval(timer)
      await server?.close()
      metrics.close()
    },
  }
}

const always: Health = { live: () => true, ready: () => true }

export const metricsPortOption = {
  options: { 'metrics-port': { type: 'string' as const } },
  help: { 'metrics-port': 'serve Prometheus /metrics (and /healthz, /readyz) on this loopback port' },
}
