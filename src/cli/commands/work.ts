import { openInfrastructure } from '../../adapters/index.js'
import { requireDatasets } from '../../app/boot.js'
import { consumeWork, ensureTopics, SHUTDOWN_GRACE_MS, withEngine } from '../../app/wiring.js'
import { boolOpt, type Command, Exit } from '../command.js'
import { metricsPortOption, startOps } from '../ops.js'
import { createRuntime, progressLine } from '../runtime.js'

export const workCommand: Command = {
  name: 'work',
  summary: 'process objects from ferry.objects (consumer group ferry-work)',
  usage: `Usage: ferry work [--until-idle]

Joins the ferry-work consumer group on ferry.objects. For each object: download, read, validate every
record against its dataset's JSON Schema, transform, write valid rows as Parquet to the output bucket
(deterministic path: reprocessing overwrites), write rejected rows with their errors to the quarantine
path, publish a result to ferry.results, then commit. A file Ferry cannot process (unreadable, no
dataset, over a limit) is dead-lettered to ferry.dlq with the reason and gets a result with status
dead-lettered, so one bad file never blocks its partition. An infrastructure error that outlives the
bounded retries (S3/GCS/Kafka down) stops the worker without committing (exit 2): the next run picks
the file up again instead of losing it. Run several to share partitions.

Example:
  ferry work --until-idle`,
  options: { 'until-idle': { type: 'boolean' }, ...metricsPortOption.options },
  optionHelp: {
    'until-idle': 'exit once the group has no lag (default: run until SIGTERM)',
    ...metricsPortOption.help,
  },
  async run(args, ctx) {
    const app = createRuntime(args, ctx, { progress: true })
    const { config, logger } = app
    requireDatasets(app)
    const infra = await openInfrastructure(config, logger, { kafka: true, endpoints: ['output'] })
    const ops = await startOps(args, logger, {
      log: infra.log,
      groups: [{ group: config.kafka.groups.work, topic: config.kafka.topics.objects }],
    })
    try {
      await ensureTopics(app, infra, { bus: false })
      const untilIdle = boolOpt(args, 'until-idle')
      const progress = progressLine('work', infra.log, {
        group: config.kafka.groups.work,
        topic: config.kafka.topics.objects,
      })
      await withEngine(app, (engine) => consumeWork(app, infra, engine, { untilIdle, signal: ctx.signal }), {
        signal: ctx.signal,
        graceMs: SHUTDOWN_GRACE_MS,
      })
      progress.stop()
      return Exit.OK
    } finally {
      await ops.close()
      await infra.close()
    }
  },
}
