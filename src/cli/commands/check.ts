import { openInfrastructure } from '../../adapters/index.js'
import { requireDatasets, requireLocalState } from '../../app/boot.js'
import { findDataset } from '../../core/dataset.js'
import { outputKey } from '../../core/output-path.js'
import { UsageError } from '../../errors.js'
import { selectEntries } from '../../ledger/status.js'
import { checkDataset, deadlineInstant } from '../../ops/deadline.js'
import { type Command, Exit, stringOpt } from '../command.js'
import { createRuntime } from '../runtime.js'
import { parseDateOption } from './options.js'

export const checkCommand: Command = {
  name: 'check',
  summary: 'dead-man check: exit non-zero if the night is missing or incomplete by the deadline',
  usage: `Usage: ferry check --deadline 01:00 [--date YYYY-MM-DD] [--time-zone UTC]

For alarms and cron: compares, per dataset, the files expected (the dataset's checks.files), the
files that arrived and their states (the ledger) and the outputs in the output bucket. Before the
deadline an incomplete night is reported but exits 0; from the deadline on it exits 1 and says why
(expected vs written, files not finished, dead-lettered, outputs missing). Exit 2 on errors.

Example (crontab, 01:00):
  0 1 * * *  ferry check --deadline 01:00 || notify-oncall "ferry night incomplete"`,
  options: { deadline: { type: 'string' }, date: { type: 'string' }, 'time-zone': { type: 'string' } },
  optionHelp: {
    deadline: 'HH:MM on the morning after the night by which it must be complete (required)',
    date: 'the night to check (default: yesterday, UTC)',
    'time-zone': 'IANA time zone of the deadline (default UTC)',
  },
  async run(args, ctx) {
    const deadlineText = stringOpt(args, 'deadline')
    if (!deadlineText) throw new UsageError('--deadline HH:MM is required')
    const date = stringOpt(args, 'date') ?? new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
    parseDateOption(date, 'date')
    let deadline: Date
    try {
      deadline = deadlineInstant(date, deadlineText, stringOpt(args, 'time-zone') ?? 'UTC')
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err))
    }
    const app = createRuntime(args, ctx)
    const { config, logger } = app
    const datasets = requireDatasets(app)
    requireLocalState(app)
    const infra = await openInfrastructure(config, logger)
    try {
      const ledger = await infra.ledger.load()
      const { bucket, prefix } = config.output
      let complete = true
      for (const dataset of datasets) {
        const outputs = new Set<string>()
        const folder = [prefix, dataset.name, `date=${date}`].filter(Boolean).join('/')
        for await (const info of infra.output.list(bucket, `${folder}/`)) {
          if (info.key.endsWith('.parquet')) outputs.add(info.key)
        }
        const entries = selectEntries(
          ledger.values(),
          { date, dataset: dataset.name },
          (key) => findDataset(datasets, key)?.name ?? null,
        )
        const files = dataset.checks?.files
        const verdict = checkDataset(
          {
            dataset: dataset.name,
            ...(files ? { expected: { count: files.expected, tolerance: files.tolerance ?? 0 } } : {}),
            ledger: entries,
            outputs,
          },
          (e) => outputKey(prefix, dataset.name, e.eventDate, { bucket: e.bucket, key: e.key }),
        )
        complete &&= verdict.ok
        const counts = `expected=${verdict.expected ?? '-'} arrived=${verdict.arrived} written=${verdict.written} outputs=${verdict.outputs}`
        ctx.out(`${dataset.name} ${date}: ${verdict.ok ? 'complete' : 'INCOMPLETE'} ${counts}`)
        for (const problem of verdict.problems) ctx.out(`  - ${problem}`)
      }
      if (complete) return Exit.OK
      if (Date.now() < deadline.getTime()) {
        ctx.out(`not due yet: the deadline is ${deadline.toISOString()}`)
        return Exit.OK
      }
      ctx.out(`the night of ${date} is incomplete at its deadline ${deadline.toISOString()}`)
      logger.error({ date, deadline: deadline.toISOString() }, 'night incomplete at its deadline')
      return Exit.DATA
    } finally {
      await infra.close()
    }
  },
}
