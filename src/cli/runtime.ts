import { type FerryConfig, loadConfig } from '../config/load.js'
import { createLogger, type Logger } from '../ops/logger.js'
import { boolOpt, type CliContext, type ParsedArgs, stringOpt } from './command.js'

export interface Runtime {
  config: FerryConfig
  logger: Logger
}

/** Config and the root logger, built once per command from the common flags. */
export function createRuntime(args: ParsedArgs, ctx: CliContext): Runtime {
  const config = loadConfig({ env: ctx.env, cwd: ctx.cwd, file: stringOpt(args, 'config') })
  const logger = createLogger({
    level: stringOpt(args, 'log-level') ?? config.log.level,
    pretty: boolOpt(args, 'pretty') || (process.stderr.isTTY === true && ctx.env.FERRY_LOG_FORMAT !== 'json'),
  })
  return { config, logger }
}

/** Resolves when the signal aborts (Ctrl-C / SIGTERM). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}
