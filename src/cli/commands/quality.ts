import { openInfrastructure } from '../../adapters/index.js'
import { createQualityHandler } from '../../consumers/quality.js'
import { LedgerTracker } from '../../ledger/tracker.js'
import { topicSpecs } from '../../ops/night.js'
import { datasets } from '../../schemas/datasets/index.js'
import { boolOpt, type Command, Exit } from '../command.js'
import { metricsPortOption, startOps } from '../ops.js'
import { createRuntime } from '../runtime.js'

export const qualityCommand: Command = {
  name: 'quality',
  summary: 'check results from ferry.results and publish quality events (consumer group ferry-quality)',
  usage: `Usage: ferry quality [--until-idle]

Joins the ferry-quality consumer group on ferry.results, runs the file checks (processing error,
non-empty, reconciliation, output/input row ratio, rejected-row rate; thresholds per dataset) plus
the dataset's declared checks (column checks read the written output), records each file in the
metrics history under <output prefix>/_ferry/history/ and publishes one event per file to the
ferry-quality topic with attributes dataset, status, severity, scope.
With --until-idle, exit 1 when any evaluated file failed.

Example:
  ferry quality --until-idle`,
  options: { 'until-idle': { type: 'boolean' }, ...metricsPortOption.options },
  optionHelp: {
    'until-idle': 'exit once the group has no lag (default: run until SIGTERM)',
    ...metricsPortOption.help,
  },
  async run(args, ctx) {
    const { config, logger } = createRuntime(args, ctx)
    const infra = await openInfrastructure(config, logger)
    const ops = await startOps(args, logger, {
      log: infra.log,
      groups: [{ group: config.kafka.groups.quality, topic: config.kafka.topics.results }],
    })
    let failed = 0
    let evaluated = 0
    try {
      await infra.log.ensureTopics(topicSpecs(config))
      await infra.bus.ensureTopic(config.bus.topic)
      await infra.log.consume({
        groupId: config.kafka.groups.quality,
        topic: config.kafka.topics.results,
        untilIdle: boolOpt(args, 'until-idle') ? { idleMs: config.work.idleMs } : undefined,
        signal: ctx.signal,
        handler: createQualityHandler({
          bus: infra.bus,
          topic: config.bus.topic,
          datasets,
          output: { store: infra.output, bucket: config.output.bucket, prefix: config.output.prefix },
          logger: logger.child({ component: 'quality' }),
          ledger: new LedgerTracker(infra.ledger, logger.child({ component: 'ledger' })),
          onEvaluated: (_result, event) => {
            evaluated++
            if (event.status === 'fail') failed++
          },
        }),
      })
      ctx.out(`evaluated=${evaluated} quality_pass=${evaluated - failed} quality_fail=${failed}`)
      return failed > 0 ? Exit.DATA : Exit.OK
    } finally {
      await ops.close()
      await infra.close()
    }
  },
}
