import { openInfrastructure } from '../../adapters/index.js'
import type { QualityEvent } from '../../core/messages.js'
import { UsageError } from '../../errors.js'
import type { BusMessage } from '../../ports.js'
import { boolOpt, type Command, Exit, stringOpt } from '../command.js'
import { createRuntime, untilAborted } from '../runtime.js'
import { parseIntOption } from './broker.js'

export const subscribeCommand: Command = {
  name: 'subscribe',
  summary: 'print data-quality events as they arrive',
  usage: `Usage: ferry subscribe [--status fail] [--dataset orders] [--json] [--subscription NAME]

Creates (or reuses) a subscription on the ferry-quality topic, filtered server-side on the event
attributes, and prints each event: one readable line per file, or the event JSON with --json.
Runs until Ctrl-C (or --max-events).

Example:
  ferry subscribe --status fail --dataset orders`,
  options: {
    status: { type: 'string' },
    dataset: { type: 'string' },
    json: { type: 'boolean' },
    subscription: { type: 'string' },
    'max-events': { type: 'string' },
  },
  optionHelp: {
    status: 'only pass or fail events',
    dataset: 'only events of this dataset',
    json: 'print each event as one JSON line (for jq and pipes)',
    subscription: 'subscription name (default derived from the filters, so re-runs reuse it)',
    'max-events': 'exit after this many events',
  },
  async run(args, ctx) {
    const { config, logger } = createRuntime(args, ctx)
    const status = stringOpt(args, 'status')
    if (status !== undefined && status !== 'pass' && status !== 'fail') {
      throw new UsageError(`--status must be pass or fail, got ${JSON.stringify(status)}`)
    }
    const dataset = stringOpt(args, 'dataset')
    const maxRaw = stringOpt(args, 'max-events')
    const max = maxRaw === undefined ? Number.POSITIVE_INFINITY : parseIntOption(maxRaw, 'max-events', 1, 1_000_000)
    const attributes: Record<string, string> = {
      ...(status ? { status } : {}),
      ...(dataset ? { dataset } : {}),
    }
    const name =
      stringOpt(args, 'subscription') ??
      ['ferry-subscribe', config.bus.topic, status ?? 'all', dataset ?? 'all']
        .join('-')
        .replace(/[^A-Za-z0-9._-]/g, '_')
    const infra = await openInfrastructure(config, logger, { kafka: false })
    const done = new AbortController()
    let seen = 0
    const json = boolOpt(args, 'json')
    try {
      await infra.bus.ensureTopic(config.bus.topic)
      const subscription = await infra.bus.subscribe(
        config.bus.topic,
        name,
        { attributes, create: true },
        async (message) => {
          if (seen >= max) throw new Error('enough events') // nack: leave it for the next run
          seen++
          ctx.out(json ? message.data.toString('utf8') : describe(message))
          if (seen >= max) done.abort()
        },
      )
      if (!json) ctx.err(`listening on subscription ${name} (Ctrl-C to stop)`)
      await Promise.race([untilAborted(ctx.signal), untilAborted(done.signal)])
      await subscription.close()
      return Exit.OK
    } finally {
      await infra.close()
    }
  },
}

function describe(message: BusMessage): string {
  try {
    const event = JSON.parse(message.data.toString('utf8')) as QualityEvent
    const failed = event.checks.filter((c) => c.status !== 'pass')
    const detail = failed.length
      ? failed.map((c) => `${c.name}=${String(c.observed)} (threshold ${String(c.threshold)})`).join(', ')
      : `${event.counts.rowsOut}/${event.counts.rowsIn} rows`
    return `${event.evaluatedAt} ${event.status.toUpperCase().padEnd(4)} ${event.dataset} ${event.source.uri} ${detail}`
  } catch {
    return `${message.publishTime.toISOString()} ${JSON.stringify(message.attributes)} ${message.data.toString('utf8')}`
  }
}
