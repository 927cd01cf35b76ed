import { openInfrastructure } from '../../adapters/index.js'
import { drainQueue, ensureTopics } from '../../app/wiring.js'
import { newRunId } from '../../ops/night.js'
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
    const waitSeconds = parseIntOption(stringOpt(args, 'wait-seconds') ?? '10', 'wait-seconds', 0, 20)
    const emptyReceives = parseIntOption(stringOpt(args, 'empty-receives') ?? '2', 'empty-receives', 1, 100)
    const app = createRuntime(args, ctx)
    const infra = await openInfrastructure(app.config, app.logger, { kafka: true, endpoints: ['queue', 'bus'] })
    try {
      await ensureTopics(app, infra)
      const summary = await drainQueue(app, infra, {
        runId: newRunId(),
        waitSeconds,
        emptyReceives,
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
