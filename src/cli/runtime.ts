import { type App, boot } from '../app/boot.js'
import { boolOpt, type CliContext, type ParsedArgs, stringOpt } from './command.js'

export type Runtime = App

/** The app (config, root logger, datasets), built once per command from the common flags. */
export function createRuntime(args: ParsedArgs, ctx: CliContext, options: { logFile?: string } = {}): Runtime {
  return boot({
    env: ctx.env,
    cwd: ctx.cwd,
    configFile: stringOpt(args, 'config'),
    datasets: stringOpt(args, 'datasets'),
    logLevel: stringOpt(args, 'log-level'),
    pretty: boolOpt(args, 'pretty') || (process.stderr.isTTY === true && ctx.env.FERRY_LOG_FORMAT !== 'json'),
    logFile: options.logFile,
  })
}

/** Resolves when the signal aborts (Ctrl-C / SIGTERM). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}
