import { withEngine } from '../../app/wiring.js'
import { formatInspection, type Inspection } from '../../ops/debug/inspect.js'
import { inspectJob } from '../../ops/debug/jobs.js'
import { openObjectUrl } from '../../ops/debug/source.js'
import { boolOpt, type Command, Exit } from '../command.js'
import { createRuntime } from '../runtime.js'

export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'describe a file: format, schema, row groups and footer statistics (Parquet read by its footer only)',
  usage: `Usage: ferry inspect <file | s3://bucket/key | gs://bucket/key> [--json]

Tells what a source file is without processing it. For Parquet: the schema (physical and logical
types), row count, row groups (rows, sizes, codecs) and per-column min/max/null counts from the
footer statistics, fetched with ranged reads so no data page is downloaded. For CSV and NDJSON
(optionally gzipped): size, compression, and the header or the first record's keys. Prints how many
bytes were fetched. Exit 2 when the file is not a format Ferry reads or its footer is damaged.

Examples:
  ferry inspect s3://landing/orders/2026-02-17/orders-0001.parquet
  ferry inspect ./orders.csv.gz --json`,
  options: { json: { type: 'boolean' } },
  optionHelp: { json: 'print the description as JSON' },
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const app = createRuntime(args, ctx)
    const source = await openObjectUrl(args.positionals[0]!, app.config, { cwd: ctx.cwd })
    // in a worker thread under the configured limits: a damaged footer cannot hang the command
    const inspection = await withEngine(app, (engine) => engine.job<Inspection>(source, inspectJob(source)), {
      signal: ctx.signal,
      datasets: 'optional',
    })
    if (boolOpt(args, 'json')) ctx.out(JSON.stringify(inspection, null, 2))
    else for (const line of formatInspection(inspection)) ctx.out(line)
    return Exit.OK
  },
}
