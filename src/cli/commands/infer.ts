import { join, relative, resolve } from 'node:path'
import { inferProject } from '../../app/infer.js'
import { UsageError } from '../../errors.js'
import { openObjectUrl } from '../../ops/debug/source.js'
import { loadDatasetFolder } from '../../project/dataset-file.js'
import { explainMatch } from '../../project/describe.js'
import { boolOpt, type Command, Exit, stringOpt } from '../command.js'
import { createRuntime } from '../runtime.js'

const NAME = /^[a-z][a-z0-9_-]{0,62}$/

export const inferCommand: Command = {
  name: 'infer',
  summary: 'draft a dataset (schema, dataset.yaml, a test case) from a sample file',
  usage: `Usage: ferry infer <file | s3://bucket/key | gs://bucket/key> --name NAME [--out DIR] [--key KEY] [--force]

Reads a sample Parquet, CSV or NDJSON file (gzipped too) with Ferry's readers and writes a complete
draft dataset folder: schema.json (JSON Schema 2020-12: types, required columns, formats for
date-times, dates, emails and UUIDs, enums for low-cardinality text; numeric bounds left open),
dataset.yaml (a key pattern from the sample's key, the event time from the first date-time column,
the output columns, null-rate checks on required columns and a duplicates check on a column that
looks like a key) and a test case from the sample's first rows, whose expectations the worker engine
writes, so 'ferry test' passes on the draft at once. Review the draft: it states what the sample
showed, not what the data promises. Never overwrites a folder without --force.

Examples:
  ferry infer samples/customers_20261123.csv --name customers
  ferry infer s3://landing/events/2026-11-23/events-00.ndjson.gz --name events`,
  options: {
    name: { type: 'string' },
    out: { type: 'string' },
    key: { type: 'string' },
    force: { type: 'boolean' },
  },
  optionHelp: {
    name: 'the dataset name (lower-case letters, digits, _ and -); also the folder name',
    out: "the dataset folder to write (default: <the project's datasets folder>/<name>)",
    key: 'the landing key the sample stands for, to derive the key pattern (default: its key or file name)',
    force: 'replace the folder if it exists',
  },
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const name = stringOpt(args, 'name')
    if (!name || !NAME.test(name)) {
      throw new UsageError('--name is required: lower-case letters, digits, _ and -, starting with a letter')
    }
    const app = createRuntime(args, ctx)
    const out = stringOpt(args, 'out')
    const dir = out ? resolve(ctx.cwd, out) : join(app.project.datasetsDir ?? resolve(ctx.cwd, 'datasets'), name)
    const source = await openObjectUrl(args.positionals[0]!, app.config, { cwd: ctx.cwd })
    const key = stringOpt(args, 'key')
    const outcome = await inferProject(app, {
      source,
      name,
      dir,
      force: boolOpt(args, 'force'),
      ...(key ? { key } : {}),
    })
    const { inferred, test } = outcome
    ctx.out(`ferry infer: drafted dataset ${name} in ${relative(ctx.cwd, dir) || dir}`)
    for (const file of outcome.files) ctx.out(`  ${file}`)
    ctx.out(`keys:    ${outcome.keys.join(', ')}`)
    ctx.out(`columns: ${inferred.outputColumns.length}; event time: ${inferred.eventTimeField ?? '(none)'}`)
    ctx.out('notes:')
    for (const note of inferred.notes) ctx.out(`  - ${note}`)
    for (const line of conflicts(app.project.datasets, dir, outcome.landingKey)) ctx.out(line)
    if (test?.status !== 'pass') {
      ctx.out(`the drafted test case fails: ${test?.problems.join('; ') ?? 'it did not run'}`)
      return Exit.DATA
    }
    const yaml = relative(ctx.cwd, join(dir, 'dataset.yaml'))
    ctx.out(`the drafted test passes (${test.rows?.out ?? 0} rows). Next: review ${yaml}, then ferry test ${name}`)
    return Exit.OK
  },
}

/** A warning when another dataset of the project would take the sample's key from the draft. */
function conflicts(datasets: Parameters<typeof explainMatch>[0], dir: string, key: string): string[] {
  const loaded = loadDatasetFolder(dir)
  if (!loaded.ok) return []
  const draft = loaded.spec
  const explanation = explainMatch([...datasets.filter((d) => d.name !== draft.name), draft], key)
  return explanation.dataset && explanation.dataset !== draft.name
    ? [
        `warning: ${key} goes to ${explanation.dataset}, not ${draft.name}: ${explanation.reason}; set priority: or narrow the keys`,
      ]
    : []
}
