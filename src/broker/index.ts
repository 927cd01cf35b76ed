import { pino } from 'pino'
import { ConfigError } from '../errors.js'
import type { Logger } from '../ops/logger.js'
import { BrokerCore } from './broker.js'
import { BrokerServer } from './server.js'

export interface BrokerOptions {
  /** Interface to listen on; default '127.0.0.1'. A wildcard (0.0.0.0, ::) is advertised as 127.0.0.1. */
  host?: string
  /** 0 = a random free port */
  port?: number
  /** undefined = in memory; otherwise topics, records and committed offsets persist here */
  dataDir?: string
  /** Create unknown topics on Metadata and Produce; default true */
  autoCreateTopics?: boolean
  /** Partitions of auto-created topics; default 1 */
  defaultPartitions?: number
  /** default 1 */
  nodeId?: number
  /** Silent when absent */
  logger?: Logger
}

export interface RunningBroker {
  host: string
  port: number
  /** 'host:port', what clients bootstrap from */
  address: string
  close(): Promise<void>
}

/** Starts Ferry's embedded single-node Kafka-protocol broker. */
export async function startBroker(options: BrokerOptions = {}): Promise<RunningBroker> {
  const problems = optionProblems(options)
  if (problems.length > 0) throw new ConfigError('invalid broker options', problems)
  const logger = (options.logger ?? pino({ enabled: false })).child({ component: 'broker' })
  const bindHost = options.host ?? '127.0.0.1'
  const core = new BrokerCore({
    nodeId: options.nodeId ?? 1,
    autoCreateTopics: options.autoCreateTopics ?? true,
    defaultPartitions: options.defaultPartitions ?? 1,
    dataDir: options.dataDir,
    logger,
  })
  let server: BrokerServer
  try {
    server = await BrokerServer.listen(bindHost, options.port ?? 0, core, logger)
  } catch (err) {
    core.close()
    throw err
  }
  const host = bindHost === '0.0.0.0' || bindHost === '::' ? '127.0.0.1' : bindHost
  core.host = host
  core.port = server.port
  const address = `${host}:${server.port}`
  logger.info({ address, dataDir: options.dataDir ?? null }, 'broker listening')
  let closing: Promise<void> | undefined
  return {
    host,
    port: server.port,
    address,
    // A closure, not a method: callers pass `broker.close` around unbound.
    close: () => {
      closing ??= (async () => {
        // Sockets are destroyed synchronously by server.close(); parked joins and syncs must then be
        // released before waiting for in-flight requests, and files closed only after those end.
        const stopped = server.close()
        core.groups.close()
        await stopped
        core.close()
        logger.info({ address }, 'broker stopped')
      })()
      return closing
    },
  }
}

function optionProblems(options: BrokerOptions): string[] {
  const problems: string[] = []
  const { port, defaultPartitions, nodeId } = options
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    problems.push(`port must be an integer in 0..65535, got ${port}`)
  }
  if (defaultPartitions !== undefined && (!Number.isInteger(defaultPartitions) || defaultPartitions < 1)) {
    problems.push(`defaultPartitions must be a positive integer, got ${defaultPartitions}`)
  }
  if (nodeId !== undefined && (!Number.isInteger(nodeId) || nodeId < 0)) {
    problems.push(`nodeId must be a non-negative integer, got ${nodeId}`)
  }
  return problems
}
