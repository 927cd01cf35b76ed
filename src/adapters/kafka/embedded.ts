import { type RunningBroker, startBroker } from '../../broker/index.js'
import { FerryError } from '../../errors.js'
import type { Logger } from '../../ops/logger.js'

/**
 * The embedded broker's logger: its routine lines (started, topics created, members joined) are the
 * command's internals, not its output, so they show only when the command logs at debug; its
 * warnings and errors always show. `ferry broker`, where the broker is the command, logs at info.
 */
function quietened(logger: Logger): Logger {
  return logger.isLevelEnabled('debug') ? logger : logger.child({}, { level: 'warn' })
}

/**
 * Starts the embedded broker in this process on a random loopback port, persisting under `dir`.
 * The broker locks its data dir; when another Ferry process holds it, say how to share one broker.
 */
export async function startEmbeddedBroker(dir: string, parent: Logger): Promise<RunningBroker> {
  const logger = quietened(parent)
  try {
    const broker = await startBroker({ host: '127.0.0.1', port: 0, dataDir: dir, logger })
    logger.debug({ component: 'broker', address: broker.address, dataDir: dir }, 'embedded broker started')
    return broker
  } catch (err) {
    if (err instanceof FerryError && /in use by process/.test(err.message)) {
      throw new FerryError(
        'FERRY_KAFKA',
        'another Ferry command is using the embedded broker; run one at a time, or start ' +
          '`ferry broker --data-dir ...` and point every command at it with FERRY_KAFKA_BROKERS',
        { cause: err },
      )
    }
    throw err
  }
}
