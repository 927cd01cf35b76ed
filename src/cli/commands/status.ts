import { openInfrastructure } from '../../adapters/index.js'
import { findDataset } from '../../core/dataset.js'
import type { LedgerState } from '../../core/messages.js'
import { UsageError } from '../../errors.js'
import { formatStatus, LEDGER_STATES, selectEntries } from '../../ledger/status.js'
import { boolOpt, type Command, Exit, stringOpt } from '../command.js'
import { createRuntime } from '../runtime.js'

export const statusCommand: Command = {
  name: 'status',
  summary: 'per-file state from the ledger: received, queued, processing, written, qualified...',
  usage: `Usage: ferry status [--date YYYY-MM-DD] [--dataset X] [--state S] [--json]

Reads the ledger (the compacted ferry.ledger topic: the latest state of every version of every source
object, keyed bucket/key/eTag) and prints one line per version: key, eTag, state, attempts, last
error, last update. States: received -> queued -> processing -> written | quarantined |
dead-lettered -> qualified. The last line counts entries per state.

Examples:
  ferry status --date 2026-11-23 --state dead-lettered
  ferry status --json | jq -r 'select(.quality == "fail") | .key'`,
  options: {
    date: { type: 'string' },
    dataset: { type: 'string' },
    state: { type: 'string' },
    json: { type: 'boolean' },
  },
  optionHelp: {
    date: 'only files of this event date (the date path of their outputs)',
    dataset: 'only files of this dataset',
    state: `only entries in this state (${LEDGER_STATES.join(', ')})`,
    json: 'one ledger entry per line as JSON (for jq and pipes)',
  },
  async run(args, ctx) {
    const date = stringOpt(args, 'date')
    if (date !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
      throw new UsageError(`--date must be YYYY-MM-DD, got ${JSON.stringify(date)}`)
    }
    const state = stringOpt(args, 'state')
    if (state !== undefined && !LEDGER_STATES.includes(state as LedgerState)) {
      throw new UsageError(`--state must be one of ${LEDGER_STATES.join(', ')}, got ${JSON.stringify(state)}`)
    }
    const dataset = stringOpt(args, 'dataset')
    const { config, logger, project } = createRuntime(args, ctx)
    const infra = await openInfrastructure(config, logger)
    try {
      const entries = selectEntries(
        (await infra.ledger.load()).values(),
        {
          ...(date === undefined ? {} : { date }),
          ...(dataset === undefined ? {} : { dataset }),
          ...(state === undefined ? {} : { state: state as LedgerState }),
        },
        (key) => findDataset(project.datasets, key)?.name ?? null,
      )
      const lines = boolOpt(args, 'json') ? entries.map((e) => JSON.stringify(e)) : formatStatus(entries)
      for (const line of lines) ctx.out(line)
      return Exit.OK
    } finally {
      await infra.close()
    }
  },
}
