import { parseArgs } from 'node:util'
import { errorMessage, FerryError, InterruptedError, UsageError } from '../errors.js'
import { type CliContext, type Command, commonOptions, Exit, type ExitCode } from './command.js'
import { commands } from './commands/index.js'
import { commandHelp, commandSynopsis, mainHelp } from './help.js'

/** Entry point: parse arguments, run one command, map the outcome to an exit code. */
export async function main(argv: string[], overrides: Partial<CliContext> = {}): Promise<ExitCode> {
  const controller = new AbortController()
  const ctx: CliContext = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    env: process.env,
    cwd: process.cwd(),
    signal: controller.signal,
    ...overrides,
  }
  const [name, ...rest] = argv
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ctx.out(mainHelp(commands))
    return Exit.OK
  }
  const command = commands.find((c) => c.name === name)
  if (!command) {
    ctx.err(`ferry: unknown command "${name}"\n\n${mainHelp(commands)}`)
    return Exit.ERROR
  }
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      // A second Ctrl-C means "now": skip the graceful path.
      process.exit(Exit.ERROR)
    }
    ctx.err(`ferry: ${signal} received, shutting down`)
    controller.abort(new InterruptedError(`interrupted by ${signal}`))
  }
  if (!overrides.signal) {
    process.on('SIGINT', onSignal)
    process.on('SIGTERM', onSignal)
  }
  try {
    const args = parse(command, rest)
    if (args.values.help === true) {
      ctx.out(commandHelp(command))
      return Exit.OK
    }
    return await command.run(args, ctx)
  } catch (err) {
    if (err instanceof UsageError) {
      ctx.err(`ferry ${command.name}: ${err.message}\n\n${commandSynopsis(command)}`)
      return Exit.ERROR
    }
    if (err instanceof FerryError) {
      ctx.err(`ferry ${command.name}: error [${err.code}]: ${errorMessage(err)}`)
      return Exit.ERROR
    }
    ctx.err(
      `ferry ${command.name}: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    )
    return Exit.ERROR
  } finally {
    process.off('SIGINT', onSignal)
    process.off('SIGTERM', onSignal)
  }
}

function parse(command: Command, argv: string[]) {
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...command.options, ...commonOptions },
      allowPositionals: true,
      strict: true,
    })
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err))
  }
  if (parsed.values.help === true) return parsed
  const { min, max } = command.positionals ?? { min: 0, max: 0 }
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    throw new UsageError(
      max === 0 ? `takes no arguments, got ${parsed.positionals.join(' ')}` : `expects ${min}..${max} argument(s)`,
    )
  }
  return parsed
}
