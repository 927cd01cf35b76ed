import { withEngine } from '../../app/wiring.js'
import { findDataset } from '../../core/dataset.js'
import type { ByteSink } from '../../core/formats/parquet.js'
import { UsageError } from '../../errors.js'
import type { CatSummary } from '../../ops/debug/cat.js'
import { catJob } from '../../ops/debug/jobs.js'
import { openObjectUrl } from '../../ops/debug/source.js'
import { chooseDataset } from '../../ops/debug/validate.js'
import { boolOpt, type CliContext, type Command, Exit, stringOpt } from '../command.js'
import { createRuntime } from '../runtime.js'
import { parseIntOption } from './broker.js'

export const catCommand: Command = {
  name: 'cat',
  summary: 'print the rows of a file as the worker reads them (column = value, or NDJSON)',
  usage: `Usage: ferry cat <file | s3://bucket/key | gs://bucket/key> [--limit N] [--columns a,b] [--json] [--dataset NAME]

Prints the rows of any file Ferry reads (Parquet, CSV, NDJSON, gzipped or not), as the worker sees
them: one "column = value" block per row, or with --json one JSON object per line (timestamps RFC
3339, integers beyond 2^53 as strings, binary as base64). CSV columns are typed by the schema of the
dataset that takes the key (or --dataset), as the worker types them; without one they stay text.
Runs in the engine's worker thread under the configured limits, so a damaged file cannot hang it.
Records that cannot be read as rows are left out and counted on stderr.
Exit 0, or 2 when the file cannot be read.

Examples:
  ferry cat s3://landing/orders/2026-11-23/orders-0007.parquet --limit 5
  ferry cat ./export.csv.gz --json --columns order_id,amount | jq .`,
  options: {
    limit: { type: 'string' },
    columns: { type: 'string' },
    json: { type: 'boolean' },
    dataset: { type: 'string' },
  },
  optionHelp: {
    limit: 'print at most this many rows',
    columns: 'only these columns, comma-separated, in this order',
    json: 'one JSON object per line (NDJSON)',
    dataset: 'type CSV columns by this dataset (default: the one that takes the key, if any)',
  },
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const limitText = stringOpt(args, 'limit')
    const limit = limitText === undefined ? undefined : parseIntOption(limitText, 'limit', 0, Number.MAX_SAFE_INTEGER)
    const columns = stringOpt(args, 'columns')
      ?.split(',')
      .map((c) => c.trim())
      .filter(Boolean)
    if (columns?.length === 0) throw new UsageError('--columns needs at least one column name')
    const app = createRuntime(args, ctx)
    const source = await openObjectUrl(args.positionals[0]!, app.config, { cwd: ctx.cwd })
    const named = stringOpt(args, 'dataset')
    const dataset = named
      ? chooseDataset(app.project.datasets, source.key, named)
      : findDataset(app.project.datasets, source.key)
    const options = {
      json: boolOpt(args, 'json'),
      limits: app.config.work.limits,
      ...(limit !== undefined ? { limit } : {}),
      ...(columns ? { columns } : {}),
    }
    const summary = await withEngine(
      app,
      (engine) => engine.job<CatSummary>(source, catJob(source, options, dataset?.name), lineSink(ctx)),
      { signal: ctx.signal, datasets: 'optional' },
    )
    if (summary.unreadable > 0) {
      ctx.err(
        `ferry cat: ${summary.unreadable} record(s) could not be read as rows and were left out (ferry validate lists them)`,
      )
    }
    return Exit.OK
  },
}

/** Bytes the job streams, printed a line at a time. */
function lineSink(ctx: CliContext): ByteSink {
  const decoder = new TextDecoder()
  let partial = ''
  return {
    async write(chunk) {
      const lines = (partial + decoder.decode(chunk, { stream: true })).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) ctx.out(line)
    },
    async close() {
      if (partial) ctx.out(partial)
      return undefined
    },
  }
}
