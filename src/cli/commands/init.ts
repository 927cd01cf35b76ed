import { resolve } from 'node:path'
import { initProject } from '../../project/init.js'
import { boolOpt, type Command, Exit } from '../command.js'

export const initCommand: Command = {
  name: 'init',
  summary: 'write a working Ferry project (config, an example dataset with a test) into a folder',
  usage: `Usage: ferry init [DIR] [--force]

Writes a Ferry project into DIR (default: the current folder): ferry.config.yaml, the example
'orders' dataset (datasets/orders/dataset.yaml, schema.json and a test case), a README for the
project folder, a .gitignore for Ferry's local state (.ferry/) and dataset.schema.json, the JSON
Schema editors check dataset.yaml files against. Refuses to overwrite existing files without --force.
Then: 'ferry test' runs the example's test, 'ferry infer FILE --name NAME' drafts a dataset from one
of your files.

Example:
  ferry init my-ferry && cd my-ferry && ferry test`,
  options: { force: { type: 'boolean' } },
  optionHelp: { force: 'overwrite files that exist' },
  positionals: { min: 0, max: 1 },
  async run(args, ctx) {
    const dir = resolve(ctx.cwd, args.positionals[0] ?? '.')
    const result = initProject(dir, { force: boolOpt(args, 'force') })
    ctx.out(`ferry init: wrote a project to ${dir}`)
    for (const file of result.written) ctx.out(`  ${file}`)
    ctx.out('')
    ctx.out(`next: cd ${args.positionals[0] ?? '.'} && ferry datasets && ferry test`)
    return Exit.OK
  },
}
