import { requireDatasets } from '../../app/boot.js'
import { withEngine } from '../../app/wiring.js'
import { errorMessage } from '../../errors.js'
import { validateJob } from '../../ops/debug/jobs.js'
import { openObjectUrl } from '../../ops/debug/source.js'
import { chooseDataset, formatValidation, isUnreadable, type ValidationSummary } from '../../ops/debug/validate.js'
import { boolOpt, type Command, Exit, stringOpt } from '../command.js'
import { createRuntime } from '../runtime.js'
import { parseIntOption } from './broker.js'

export const validateCommand: Command = {
  name: 'validate',
  summary: "check every record of a file against its dataset's JSON Schema (writes nothing)",
  usage: `Usage: ferry validate <file | s3://bucket/key | gs://bucket/key> [--dataset NAME] [--json]

Reads the file with Ferry's readers (Parquet, CSV, NDJSON, each optionally gzipped) and checks every
record with the reference (ajv) validator against the dataset's JSON Schema: the dataset whose key
pattern matches the file's key, or the one named by --dataset. Prints rows, valid and invalid counts and the first errors, with
1-based row numbers as in the quarantine files. Transforms are not run (ferry process does).
Exit 0 when every record is valid, 1 when some are not, 2 when the file cannot be read.

Example:
  ferry validate s3://landing/orders/2026-02-17/orders-0007.parquet`,
  options: { dataset: { type: 'string' }, json: { type: 'boolean' }, 'max-errors': { type: 'string' } },
  optionHelp: {
    dataset: 'dataset to validate against (default: the first whose key pattern matches)',
    json: 'print the summary as JSON',
    'max-errors': 'how many errors to list (default 10)',
  },
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const app = createRuntime(args, ctx)
    const { config } = app
    const maxErrors = parseIntOption(stringOpt(args, 'max-errors') ?? '10', 'max-errors', 0, 10_000)
    const json = boolOpt(args, 'json')
    const source = await openObjectUrl(args.positionals[0]!, config, { cwd: ctx.cwd })
    const dataset = chooseDataset(requireDatasets(app), source.key, stringOpt(args, 'dataset'))
    let summary: ValidationSummary
    try {
      // in a worker thread under the configured limits, like the worker: a damaged file cannot hang it
      summary = await withEngine(
        app,
        (engine) => engine.job<ValidationSummary>(source, validateJob(source, dataset.name, maxErrors)),
        { signal: ctx.signal },
      )
    } catch (err) {
      if (!isUnreadable(err)) throw err
      const { code, message } = err
      if (json)
        ctx.out(JSON.stringify({ url: source.url, dataset: dataset.name, unreadable: { code, message } }, null, 2))
      else ctx.out(`${source.url} is unreadable [${code}]: ${errorMessage(err)}`)
      return Exit.ERROR
    }
    if (json) ctx.out(JSON.stringify(summary, null, 2))
    else for (const line of formatValidation(summary)) ctx.out(line)
    return summary.invalid > 0 ? Exit.DATA : Exit.OK
  },
}
