import type { ParseArgsConfig } from 'node:util'

/** Exit codes every command shares: cron and alarms key on them. */
export const Exit = { OK: 0, DATA: 1, ERROR: 2 } as const
export type ExitCode = (typeof Exit)[keyof typeof Exit]

export interface CliContext {
  out: (line: string) => void
  err: (line: string) => void
  env: NodeJS.ProcessEnv
  cwd: string
  /** aborted on SIGINT/SIGTERM: long-running commands stop consuming and shut down cleanly */
  signal: AbortSignal
}

export type OptionSpec = NonNullable<ParseArgsConfig['options']>

export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>
  positionals: string[]
}

export interface Command {
  name: string
  summary: string
  /** full help text shown by `ferry <name> --help` (options are appended from `options`) */
  usage: string
  options: OptionSpec
  /** describes each option for the help page */
  optionHelp: Record<string, string>
  positionals?: { min: number; max: number }
  run(args: ParsedArgs, ctx: CliContext): Promise<ExitCode>
}

/** Options every command accepts. */
export const commonOptions: OptionSpec = {
  help: { type: 'boolean', short: 'h' },
  config: { type: 'string' },
  datasets: { type: 'string' },
  'log-level': { type: 'string' },
  pretty: { type: 'boolean' },
}

export const commonOptionHelp: Record<string, string> = {
  config: 'config file (default: FERRY_CONFIG or ./ferry.config.{json,yaml,yml})',
  datasets: "the project's datasets folder (default: FERRY_DATASETS, `datasets:` in the config, or ./datasets)",
  'log-level': 'fatal|error|warn|info|debug|trace|silent (default: info, or FERRY_LOG_LEVEL)',
  pretty: 'human-readable logs instead of JSON (default on a TTY)',
  help: 'show this help',
}

export function stringOpt(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name]
  return typeof value === 'string' ? value : undefined
}

export function boolOpt(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true
}
