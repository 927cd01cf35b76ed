import { describe, expect, it } from 'vitest'
import { Exit } from '../../../src/cli/command.js'
import { commands } from '../../../src/cli/commands/index.js'
import { main } from '../../../src/cli/main.js'

async function run(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const out: string[] = []
  const err: string[] = []
  const code = await main(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env,
    signal: new AbortController().signal,
  })
  return { code, out: out.join('\n'), err: err.join('\n') }
}

describe('ferry CLI', () => {
  it('prints the command list with --help and with no arguments', async () => {
    for (const argv of [['--help'], []]) {
      const { code, out } = await run(argv)
      expect(code).toBe(Exit.OK)
      for (const command of commands) expect(out).toContain(command.name)
      expect(out).toContain('Exit codes: 0 ok, 1 data problems')
    }
  })

  it.each(commands.map((c) => c.name))('has --help for %s', async (name) => {
    const { code, out } = await run([name, '--help'])
    expect(code).toBe(Exit.OK)
    expect(out).toContain(`Usage: ferry ${name}`)
    expect(out).toContain('Options:')
    expect(out).toContain('--log-level')
  })

  it('exits 2 on an unknown command, an unknown flag or a bad value', async () => {
    expect((await run(['teleport'])).code).toBe(Exit.ERROR)
    const flag = await run(['drain', '--frobnicate'])
    expect(flag.code).toBe(Exit.ERROR)
    expect(flag.err).toContain("Unknown option '--frobnicate'")
    // the message, the synopsis and where the options are: not the whole help page
    expect(flag.err).toContain('Usage: ferry drain')
    expect(flag.err).toContain("Run 'ferry drain --help' for the options.")
    expect(flag.err).not.toContain('Options:')
    const port = await run(['broker', '--port', 'eighty'])
    expect(port.code).toBe(Exit.ERROR)
    expect(port.err).toContain('--port must be an integer between 0 and 65535')
    expect((await run(['demo', 'extra-argument'])).code).toBe(Exit.ERROR)
  })

  it('exits 2 with every configuration problem listed', async () => {
    const { code, err } = await run(['drain'], { FERRY_KAFKA_PARTITIONS: 'x', FERRY_OUTPUT_URL: 'nope' })
    expect(code).toBe(Exit.ERROR)
    expect(err).toContain('[FERRY_CONFIG]')
    expect(err).toContain('FERRY_KAFKA_PARTITIONS: must be an integer')
    expect(err).toContain('FERRY_OUTPUT_URL: must look like gs://bucket/prefix')
  })
})
