import { openInfrastructure } from '../../adapters/index.js'
import { inSourceStore, locateObject } from '../../adapters/object-uri.js'
import { requireDatasets } from '../../app/boot.js'
import { topicSpecs } from '../../app/wiring.js'
import { UsageError } from '../../errors.js'
import { LedgerTracker } from '../../ledger/tracker.js'
import { newRunId } from '../../ops/night.js'
import { type BackfillFilter, selectForBackfill } from '../../ops/replay/backfill.js'
import { directMessages, enqueueObjects } from '../../ops/replay/enqueue.js'
import { progressBar } from '../../ops/replay/progress.js'
import { parseInstant } from '../../ops/replay/time.js'
import { boolOpt, type Command, Exit, stringOpt } from '../command.js'
import { createRuntime } from '../runtime.js'

export const backfillCommand: Command = {
  name: 'backfill',
  summary: 'enqueue objects from a bucket listing (nights whose notifications were lost)',
  usage: `Usage: ferry backfill s3://bucket/prefix [--modified-after D] [--modified-before D] [--dry-run]

Lists the source bucket under the prefix and enqueues every object that matches a dataset straight
to ferry.objects, under one run id backfill-... (results and quality events carry it). Objects are
processed even if already written; the ledger keeps the event date of known versions, so their
outputs are overwritten in place. The time window is [--modified-after, --modified-before), on the
objects' last-modified time; D is a date (UTC midnight) or a date-time with a zone.

Examples:
  ferry backfill s3://landing/orders/ --modified-after 2026-11-23 --modified-before 2026-11-24 --dry-run
  ferry backfill s3://landing/orders/ --modified-after 2026-11-23T00:00:00Z`,
  options: {
    'modified-after': { type: 'string' },
    'modified-before': { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  optionHelp: {
    'modified-after': 'only objects last modified at or after this date or instant',
    'modified-before': 'only objects last modified before this date or instant',
    'dry-run': 'list what would be enqueued and change nothing',
  },
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const url = args.positionals[0] ?? ''
    const after = stringOpt(args, 'modified-after')
    const before = stringOpt(args, 'modified-before')
    const filter: BackfillFilter = {
      ...(after === undefined ? {} : { modifiedAfter: parseInstant(after) }),
      ...(before === undefined ? {} : { modifiedBefore: parseInstant(before) }),
    }
    if (filter.modifiedAfter && filter.modifiedBefore && filter.modifiedAfter >= filter.modifiedBefore) {
      throw new UsageError('--modified-after must be earlier than --modified-before')
    }
    const app = createRuntime(args, ctx)
    const { config, logger } = app
    const { bucket, key: prefix } = inSourceStore(locateObject(url, config, ctx.cwd), config, url, 'prefix')
    const infra = await openInfrastructure(config, logger)
    try {
      const selection = await selectForBackfill(infra.source, bucket, prefix, filter, requireDatasets(app))
      const counts = `objects=${selection.objects.length} ignored=${selection.ignored.length} outside=${selection.outside}`
      if (boolOpt(args, 'dry-run')) {
        for (const o of selection.objects) {
          ctx.out(
            `${infra.uri(infra.source, o.bucket, o.key)}  ${o.size} bytes  ${o.lastModified?.toISOString() ?? '-'}`,
          )
        }
        ctx.out(`backfill dry-run ${counts}`)
        return Exit.OK
      }
      await infra.log.ensureTopics(topicSpecs(config))
      const runId = newRunId(new Date(), 'backfill')
      const ledger = new LedgerTracker(infra.ledger, logger.child({ component: 'ledger' }))
      const messages = await directMessages(selection.objects, runId, ledger, new Date())
      const bar = progressBar(process.stderr, 'enqueued', messages.length)
      await enqueueObjects(infra.log, config.kafka.topics.objects, ledger, messages, (n) => bar.update(n))
      bar.finish()
      logger.info({ run_id: runId, bucket, prefix, objects: messages.length }, 'backfill enqueued')
      ctx.out(`backfill run_id=${runId} ${counts}`)
      return Exit.OK
    } finally {
      await infra.close()
    }
  },
}
