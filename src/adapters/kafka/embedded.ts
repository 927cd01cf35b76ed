import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { type RunningBroker, startBroker } from '../../broker/index.js'
import { FerryError } from '../../errors.js'
import type { Logger } from '../../ops/logger.js'

/**
 * Starts the embedded broker in this process on a random loopback port, persisting under `dir`.
 * A lock file keeps two Ferry processes from appending to the same log files at once.
 */
export async function startEmbeddedBroker(dir: string, logger: Logger): Promise<RunningBroker> {
  mkdirSync(dir, { recursive: true })
  const lock = join(dir, 'LOCK')
  acquireLock(lock)
  try {
    const broker = await startBroker({ host: '127.0.0.1', port: 0, dataDir: dir, logger })
    logger.info({ address: broker.address, dataDir: dir }, 'embedded broker started')
    return {
      ...broker,
      close: async () => {
        await broker.close()
        rmSync(lock, { force: true })
      },
    }
  } catch (err) {
    rmSync(lock, { force: true })
    throw err
  }
}

function acquireLock(path: string): void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx')
      writeSync(fd, String(process.pid))
      closeSync(fd)
      return
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err
      const holder = Number(readFileSync(path, 'utf8'))
      if (holder > 0 && isAlive(holder)) {
        throw new FerryError(
          'FERRY_KAFKA',
          `the embedded broker data in ${path.replace(/\/LOCK$/, '')} is in use by process ${holder}; ` +
            'run one Ferry command at a time, or start `ferry broker --data-dir ...` and set FERRY_KAFKA_BROKERS',
        )
      }
      rmSync(path, { force: true }) // stale: its process is gone
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
