import { type Command, commonOptionHelp, commonOptions } from './command.js'

export function commandHelp(command: Command): string {
  const options = { ...command.options, ...commonOptions }
  const help = { ...command.optionHelp, ...commonOptionHelp }
  const lines = Object.entries(options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ' <value>' : ''}`
    return `  ${flag.padEnd(30)} ${help[name] ?? ''}`
  })
  return `${command.usage.trim()}\n\nOptions:\n${lines.join('\n')}\n`
}

/** What a usage error prints below its message: the synopsis, and where the rest is. */
export function commandSynopsis(command: Command): string {
  const [synopsis = ''] = command.usage.trim().split(/\n\s*\n/)
  return `${synopsis}\n\nRun 'ferry ${command.name} --help' for the options.`
}

export function mainHelp(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2
  return `ferry: nightly file ETL (S3 -> SQS -> Kafka -> validate/transform -> Parquet on GCS, quality on Pub/Sub)

Usage: ferry <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)} ${c.summary}`).join('\n')}

Run 'ferry <command> --help' for a command's options.
Exit codes: 0 ok, 1 data problems (invalid rows, failed quality), 2 errors.
`
}
