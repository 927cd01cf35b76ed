import { openInfrastructure } from '../../adapters/index.js'
import { requireLocalState } from '../../app/boot.js'
import { findDataset } from '../../core/dataset.js'
import type { LedgerEntry, LedgerState } from '../../core/messages.js'
import { UsageError } from '../../errors.js'
import { formatStatus, LEDGER_STATES, outcomeOf, selectEntries } from '../../ledger/status.js'
import { boolOpt, type Command, Exit, stringOpt } from '../command.js'
import { createRuntime } from '../runtime.js'
import { parseDateOption } from './options.js'

export const statusCommand: Command = {
  name: 'status',
  summary: 'per-file state from the ledger: received, queued, processing, written, qualified...',
  usage: `Usage: ferry status [--date YYYY-MM-DD] [--dataset X] [--state S] [--quality pass|fail] [--json]

Reads the ledger (the compacted ferry.ledger topic: the latest state of every version of every source
object, keyed bucket/key/eTag) and prints one line per version: key, eTag, lifecycle state, outcome,
quality verdict, attempts, last error, last update. States: received -> queued -> processing ->
written | quarantined | dead-lettered -> qualified; a qualified entry keeps its outcome (written,
quarantined, dead-lettered) beside its verdict (pass, fail), so --state dead-lettered finds a
dead-lettered file after quality judged it too. The last line counts entries per state (the three
outcomes counted whatever came after) and per verdict.

Examples:
  ferry status --date 2026-11-23 --state dead-lettered
  ferry status --quality fail --json | jq -r '.key + " " + (.lastError.message // "")'`,
  options: {
    date: { type: 'string' },
    dataset: { type: 'string' },
    state: { type: 'string' },
    quality: { type: 'string' },
    json: { type: 'boolean' },
  },
  optionHelp: {
    date: 'only files of this event date (the date path of their outputs)',
    dataset: 'only files of this dataset',
    state: `only entries in this state or with this outcome (${LEDGER_STATES.join(', ')})`,
    quality: 'only entries with this quality verdict (pass, fail)',
    json: 'one ledger entry per line as JSON, with its outcome (for jq and pipes)',
  },
  async run(args, ctx) {
    const date = parseDateOption(stringOpt(args, 'date'), 'date')
    const state = stringOpt(args, 'state')
    if (state !== undefined && !LEDGER_STATES.includes(state as LedgerState)) {
      throw new UsageError(`--state must be one of ${LEDGER_STATES.join(', ')}, got ${JSON.stringify(state)}`)
    }
    const quality = stringOpt(args, 'quality')
    if (quality !== undefined && quality !== 'pass' && quality !== 'fail') {
      throw new UsageError(`--quality must be pass or fail, got ${JSON.stringify(quality)}`)
    }
    const dataset = stringOpt(args, 'dataset')
    const app = createRuntime(args, ctx)
    const { config, logger, project } = app
    const known = project.datasets.map((d) => d.name)
    if (dataset !== undefined && known.length > 0 && !known.includes(dataset)) {
      throw new UsageError(`--dataset must be one of ${known.join(', ')}, got ${JSON.stringify(dataset)}`)
    }
    requireLocalState(app)
    const infra = await openInfrastructure(config, logger)
    try {
      const entries = selectEntries(
        (await infra.ledger.load()).values(),
        {
          ...(date === undefined ? {} : { date }),
          ...(dataset === undefined ? {} : { dataset }),
          ...(state === undefined ? {} : { state: state as LedgerState }),
          ...(quality === undefined ? {} : { quality }),
        },
        (key) => findDataset(project.datasets, key)?.name ?? null,
      )
      // the URI every command takes (inspect, validate, process, replay --object...)
      const uri = (e: LedgerEntry) => infra.uri(infra.source, e.bucket, e.key)
      const lines = boolOpt(args, 'json')
        ? entries.map((e) => JSON.stringify({ uri: uri(e), ...e, outcome: outcomeOf(e) }))
        : formatStatus(entries, uri)
      for (const line of lines) ctx.out(line)
      return Exit.OK
    } finally {
      await infra.close()
    }
  },
}
