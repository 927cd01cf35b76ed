import { startBroker } from '../../broker/index.js'
import { UsageError } from '../../errors.js'
import { type Command, Exit, stringOpt } from '../command.js'
import { createRuntime, untilAborted } from '../runtime.js'

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost'])

export const brokerCommand: Command = {
  name: 'broker',
  summary: 'run the embedded single-node Kafka-protocol broker',
  usage: `Usage: ferry broker [--host 127.0.0.1] [--port 9092] [--data-dir DIR]

Runs Ferry's embedded Kafka-protocol broker for local runs and tests. Any Kafka client
(kafkajs, librdkafka/kcat) can use it. In memory unless --data-dir is given, in which case
topics, messages and committed group offsets survive a restart.

Example:
  ferry broker --port 19092 --data-dir .ferry/broker
  kcat -b 127.0.0.1:19092 -L`,
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    'data-dir': { type: 'string' },
    partitions: { type: 'string' },
    'no-auto-create': { type: 'boolean' },
  },
  optionHelp: {
    host: 'address to bind (default 127.0.0.1; anything else exposes an unauthenticated broker)',
    port: 'port to listen on (default 9092; 0 picks a free port)',
    'data-dir': 'persist topics, messages and committed offsets in this folder',
    partitions: 'partitions of auto-created topics (default 1)',
    'no-auto-create': 'do not create topics on first use',
  },
  async run(args, ctx) {
    const { logger } = createRuntime(args, ctx)
    const host = stringOpt(args, 'host') ?? '127.0.0.1'
    const port = parseIntOption(stringOpt(args, 'port') ?? '9092', 'port', 0, 65535)
    const partitions = parseIntOption(stringOpt(args, 'partitions') ?? '1', 'partitions', 1, 1000)
    if (!LOOPBACK.has(host)) {
      logger.warn({ host }, 'binding the broker to a non-loopback address: it has no authentication or TLS')
      ctx.err(`warning: binding to ${host}; the embedded broker has no authentication or TLS`)
    }
    const broker = await startBroker({
      host,
      port,
      dataDir: stringOpt(args, 'data-dir'),
      autoCreateTopics: args.values['no-auto-create'] !== true,
      defaultPartitions: partitions,
      logger,
    })
    ctx.out(`ferry broker listening on ${broker.address}`)
    await untilAborted(ctx.signal)
    await broker.close()
    ctx.out('ferry broker stopped')
    return Exit.OK
  },
}

export function parseIntOption(raw: string, name: string, min: number, max: number): number {
  const value = Number(raw)
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(raw)}`)
  }
  return value
}
