import { requireDatasets } from '../../app/boot.js'
import { withEngine } from '../../app/wiring.js'
import { errorMessage, UsageError } from '../../errors.js'
import { formatProcess, openOutputTarget, type ProcessReport, processObject } from '../../ops/debug/process.js'
import { openObjectUrl } from '../../ops/debug/source.js'
import { chooseDataset, isUnreadable } from '../../ops/debug/validate.js'
import { boolOpt, type Command, Exit, stringOpt } from '../command.js'
import { createRuntime } from '../runtime.js'

export const processCommand: Command = {
  name: 'process',
  summary: "run one file through the worker's engine outside Kafka, to reproduce a failure",
  usage: `Usage: ferry process <file | s3://bucket/key | gs://bucket/key> --out <dir | gs://bucket/prefix> [--dataset NAME]

Runs exactly what the worker runs on one file (read Parquet, CSV or NDJSON, gzipped or not; validate,
transform, write Parquet; within the configured limits) without Kafka, the queue or quality events, and writes the output and the quarantined rows below --out with
the worker's naming (<dataset>/date=<upload date>/<name>-<hash>.parquet, quarantine under the
configured quarantine prefix). Name the object by its URI (s3://bucket/key, or on the local
default its path under FERRY_HOME/buckets, as ferry status prints it): the output then lands at
exactly the path the worker writes (same event date, from the object's upload time, and the same
hash of bucket/key). Prints the counts, where the files went and the first errors.
Exit 0 when no row was rejected, 1 when some were, 2 when the file cannot be processed.

Example:
  ferry process s3://landing/orders/2026-02-17/orders-0007.parquet --out /tmp/repro`,
  options: { out: { type: 'string' }, dataset: { type: 'string' }, json: { type: 'boolean' } },
  optionHelp: {
    out: 'where to write: a local folder or gs://bucket/prefix (required)',
    dataset: 'dataset to process as (default: the first whose key pattern matches)',
    json: 'print the result as JSON',
  },
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const out = stringOpt(args, 'out')
    if (!out) throw new UsageError('--out is required')
    const app = createRuntime(args, ctx)
    const { config } = app
    const target = openOutputTarget(out, config, ctx.cwd)
    const source = await openObjectUrl(args.positionals[0]!, config, { cwd: ctx.cwd })
    const dataset = chooseDataset(requireDatasets(app), source.key, stringOpt(args, 'dataset'))
    let report: ProcessReport
    try {
      report = await withEngine(
        app,
        (engine) => processObject(source, dataset, target, config.output.quarantinePrefix, engine),
        { signal: ctx.signal },
      )
    } catch (err) {
      if (!isUnreadable(err)) throw err
      // what the worker would dead-letter: say so plainly, it is the failure being reproduced
      ctx.out(`${source.url} cannot be processed [${err.code}]: ${errorMessage(err)}`)
      return Exit.ERROR
    }
    if (boolOpt(args, 'json')) ctx.out(JSON.stringify(report, null, 2))
    else for (const line of formatProcess(report)) ctx.out(line)
    return report.rowsRejected > 0 ? Exit.DATA : Exit.OK
  },
}
