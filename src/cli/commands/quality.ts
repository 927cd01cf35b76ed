import { openInfrastructure } from '../../adapters/index.js'
import { consumeQuality, ensureTopics } from '../../app/wiring.js'
import { boolOpt, type Command, Exit } from '../command.js'
import { metricsPortOption, startOps } from '../ops.js'
import { createRuntime, progressLine } from '../runtime.js'

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
    const app = createRuntime(args, ctx, { progress: true })
    const { config, logger } = app
    const infra = await openInfrastructure(config, logger, { kafka: true, endpoints: ['output', 'bus'] })
    const ops = await startOps(args, logger, {
      log: infra.log,
      groups: [{ group: config.kafka.groups.quality, topic: config.kafka.topics.results }],
    })
    let failed = 0
    let evaluated = 0
    try {
      await ensureTopics(app, infra)
      const group = { group: config.kafka.groups.quality, topic: config.kafka.topics.results }
      const progress = progressLine('quality', infra.log, group)
      await consumeQuality(app, infra, {
        untilIdle: boolOpt(args, 'until-idle'),
        signal: ctx.signal,
        onEvaluated: (_result, event) => {
          evaluated++
          if (event.status === 'fail') failed++
        },
      })
      progress.stop()
      ctx.out(`evaluated=${evaluated} quality_pass=${evaluated - failed} quality_fail=${failed}`)
      return failed > 0 ? Exit.DATA : Exit.OK
    } finally {
      await ops.close()
      await infra.close()
    }
  },
}
