import { openInfrastructure } from '../../adapters/index.js'
import { LedgerTracker } from '../../ledger/tracker.js'
import { newRunId, topicSpecs } from '../../ops/night.js'
import { drain } from '../../producers/drain.js'
import { type Command, Exit, stringOpt } from '../command.js'
import { createRuntime } from '../runtime.js'
import { parseIntOption } from './broker.js'

export const drainCommand: Command = {
  name: 'drain',
  summary: 'move S3 notifications from SQS into the ferry.objects Kafka topic',
  usage: `Usage: ferry drain [--wait-seconds 10] [--empty-receives 2]

Long-polls the notification queue until it stays empty. Each S3 object-created notification becomes
one ferry.objects message (key bucket/key); s3:TestEvent and removals are skipped; duplicates within
the drain collapse; unparseable bodies go to ferry.dlq with the reason, and each one also becomes a
quality event of scope notification on the ferry-quality topic. Queue messages are deleted only
after Kafka (and the bus) acknowledged them. Exit 1 when something was dead-lettered.

Example:
  FERRY_SQS_QUEUE_URL=https://sqs.eu-west-1.amazonaws.com/123456789012/landing FERRY_KAFKA_BROKERS=kafka:9092 ferry drain`,
  options: { 'wait-seconds': { type: 'string' }, 'empty-receives': { type: 'string' } },
  optionHelp: {
    'wait-seconds': 'long-poll wait per receive, 0-20 (default 10)',
    'empty-receives': 'stop after this many consecutive empty receives (default 2)',
  },
  async run(args, ctx) {
    const { config, logger } = createRuntime(args, ctx)
    const runId = newRunId()
    const infra = await openInfrastructure(config, logger)
    try {
      await infra.log.ensureTopics(topicSpecs(config))
      await infra.bus.ensureTopic(config.bus.topic)
      const summary = await drain(infra.queue, infra.log, logger.child({ component: 'drain', run_id: runId }), {
        runId,
        topics: config.kafka.topics,
        waitSeconds: parseIntOption(stringOpt(args, 'wait-seconds') ?? '10', 'wait-seconds', 0, 20),
        emptyReceives: parseIntOption(stringOpt(args, 'empty-receives') ?? '2', 'empty-receives', 1, 100),
        visibilityTimeoutSeconds: 120,
        ledger: new LedgerTracker(infra.ledger, logger.child({ component: 'ledger' })),
        quality: { bus: infra.bus, topic: config.bus.topic },
        signal: ctx.signal,
      })
      ctx.out(
        `drained messages=${summary.messages} objects=${summary.objects} duplicates=${summary.duplicates} ` +
          `skipped=${summary.skipped} dead_lettered=${summary.deadLettered}`,
      )
      return summary.deadLettered > 0 ? Exit.DATA : Exit.OK
    } finally {
      await infra.close()
    }
  },
}
