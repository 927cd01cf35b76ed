import { type App, boot } from '../app/boot.js'
import { startProgress } from '../ops/progress.js'
import { boolOpt, type CliContext, type ParsedArgs, stringOpt } from './command.js'

export type Runtime = App

/**
 * The app (config, root logger, datasets), built once per command from the common flags. A command
 * that draws a progress line at a terminal (`progress`) keeps the per-file info lines off it: the
 * line summarises them, and warnings still show; --log-level or FERRY_LOG_LEVEL bring them back.
 */
export function createRuntime(args: ParsedArgs, ctx: CliContext, options: { progress?: boolean } = {}): Runtime {
  const terminal = process.stderr.isTTY === true && ctx.env.FERRY_LOG_FORMAT !== 'json'
  const level = stringOpt(args, 'log-level') ?? ctx.env.FERRY_LOG_LEVEL
  return boot({
    env: ctx.env,
    cwd: ctx.cwd,
    configFile: stringOpt(args, 'config'),
    datasets: stringOpt(args, 'datasets'),
    logLevel: level ?? (options.progress && terminal ? 'warn' : undefined),
    pretty: boolOpt(args, 'pretty') || terminal,
  })
}

/** The progress line of a consumer command, at a terminal only (ops/progress.ts). */
export function progressLine(
  label: string,
  log: { lag(group: string, topic: string): Promise<bigint> },
  group: { group: string; topic: string },
): { stop(): void } {
  return startProgress(process.stderr, { label, lag: async () => Number(await log.lag(group.group, group.topic)) })
}

/** Resolves when the signal aborts (Ctrl-C / SIGTERM). */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve()
  return new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }))
}
