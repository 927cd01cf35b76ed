import { randomBytes } from 'node:crypto'
import { openInfrastructure } from '../../adapters/index.js'
import { requireLocalState } from '../../app/boot.js'
import type { QualityMessage } from '../../core/messages.js'
import { UsageError } from '../../errors.js'
import { parseSince } from '../../ops/replay/time.js'
import type { BusMessage, BusSubscription } from '../../ports.js'
import { boolOpt, type Command, Exit, type ParsedArgs, stringOpt } from '../command.js'
import { createRuntime, untilAborted } from '../runtime.js'
import { parseIntOption } from './broker.js'

export const subscribeCommand: Command = {
  name: 'subscribe',
  summary: 'print data-quality events as they arrive',
  usage: `Usage: ferry subscribe [--status fail] [--dataset orders] [--scope file|night|notification]
                       [--since PT2H] [--json] [--subscription NAME | --ephemeral] [--max-events N]

Creates (or reuses) a subscription on the ferry-quality topic, filtered server-side on the event
attributes, and prints each event: one readable line per event, or the event JSON with --json.
--since first seeks the subscription back to a time (or a duration ago), so events published since
are delivered again, as far back as the bus keeps them. Runs until Ctrl-C (or --max-events);
--ephemeral uses a fresh subscription and deletes it on the way out. Notification events (queue
messages the drain could not read) have no dataset, so --dataset leaves them out.

Examples:
  ferry subscribe --status fail --dataset orders
  ferry subscribe --scope night --since P1D --json --ephemeral | jq -r '.dataset + " " + .status'`,
  options: {
    status: { type: 'string' },
    dataset: { type: 'string' },
    scope: { type: 'string' },
    since: { type: 'string' },
    json: { type: 'boolean' },
    subscription: { type: 'string' },
    ephemeral: { type: 'boolean' },
    'max-events': { type: 'string' },
  },
  optionHelp: {
    status: 'only pass or fail events',
    dataset: 'only events of this dataset',
    scope:
      'only file (one per file), night (one per dataset-night) or notification (one per queue message the drain dead-lettered) events',
    since: 'replay events published since this instant or ISO-8601 duration ago (PT2H, P1D)',
    json: 'print each event as one JSON line (for jq and pipes)',
    subscription: 'subscription name (default derived from the filters, so re-runs reuse it)',
    ephemeral: 'use a new subscription and delete it on exit',
    'max-events': 'exit after this many events',
  },
  async run(args, ctx) {
    const filter = attributeFilter(args)
    const sinceRaw = stringOpt(args, 'since')
    const since = sinceRaw === undefined ? undefined : parseSince(sinceRaw, new Date())
    const maxRaw = stringOpt(args, 'max-events')
    const max = maxRaw === undefined ? Number.POSITIVE_INFINITY : parseIntOption(maxRaw, 'max-events', 1, 1_000_000)
    const ephemeral = boolOpt(args, 'ephemeral')
    if (ephemeral && stringOpt(args, 'subscription') !== undefined) {
      throw new UsageError('--ephemeral makes its own subscription: drop --subscription')
    }
    const app = createRuntime(args, ctx)
    const { config, logger } = app
    const name = ephemeral
      ? `ferry-subscribe-${randomBytes(6).toString('hex')}`
      : (stringOpt(args, 'subscription') ??
        ['ferry-subscribe', config.bus.topic, filter.status ?? 'all', filter.dataset ?? 'all']
          .concat(filter.scope ? [filter.scope] : [])
          .join('-')
          .replace(/[^A-Za-z0-9._-]/g, '_'))
    requireLocalState(app)
    const infra = await openInfrastructure(config, logger, { kafka: false })
    const done = new AbortController()
    let seen = 0
    const json = boolOpt(args, 'json')
    let subscription: BusSubscription | undefined
    try {
      await infra.bus.ensureTopic(config.bus.topic)
      subscription = await infra.bus.subscribe(
        config.bus.topic,
        name,
        { attributes: filter, create: true, ...(since ? { since } : {}) },
        async (message) => {
          if (seen >= max) throw new Error('enough events') // nack: leave it for the next run
          seen++
          ctx.out(json ? message.data.toString('utf8') : describeEvent(message))
          if (seen >= max) done.abort()
        },
      )
      if (!json) ctx.err(`listening on subscription ${name} (Ctrl-C to stop)`)
      await Promise.race([untilAborted(ctx.signal), untilAborted(done.signal)])
      return Exit.OK
    } finally {
      await subscription?.close()
      // Only a subscription this run created for itself is removed; named ones are meant to be reused.
      if (ephemeral) await infra.bus.deleteSubscription(name)
      await infra.close()
    }
  },
}

const SCOPES = ['file', 'night', 'notification']

/** The server-side attribute filter from --status, --dataset and --scope. */
export function attributeFilter(args: ParsedArgs): Record<string, string> {
  const status = stringOpt(args, 'status')
  if (status !== undefined && status !== 'pass' && status !== 'fail') {
    throw new UsageError(`--status must be pass or fail, got ${JSON.stringify(status)}`)
  }
  const scope = stringOpt(args, 'scope')
  if (scope !== undefined && !SCOPES.includes(scope)) {
    throw new UsageError(`--scope must be file or night or notification, got ${JSON.stringify(scope)}`)
  }
  const dataset = stringOpt(args, 'dataset')
  return {
    ...(status ? { status } : {}),
    ...(dataset ? { dataset } : {}),
    ...(scope ? { scope } : {}),
  }
}

/** One readable line per event; a notification event shows its message id and why the drain dropped it. */
export function describeEvent(message: BusMessage): string {
  try {
    const event = JSON.parse(message.data.toString('utf8')) as QualityMessage
    if (event.scope === 'notification') {
      return `${event.evaluatedAt} ${event.status.toUpperCase().padEnd(4)} notification ${event.messageId} ${event.reason}`
    }
    const failed = event.checks.filter((c) => c.status !== 'pass')
    const detail = failed.length
      ? failed.map((c) => `${c.name}=${String(c.observed)} (threshold ${String(c.threshold)})`).join(', ')
      : event.scope === 'night'
        ? `${event.counts.files} file(s), ${event.counts.rowsOut}/${event.counts.rowsIn} rows`
        : `${event.counts.rowsOut}/${event.counts.rowsIn} rows`
    const subject = event.scope === 'night' ? `night ${event.date}` : event.source.uri
    return `${event.evaluatedAt} ${event.status.toUpperCase().padEnd(4)} ${event.dataset} ${subject} ${detail}`
  } catch {
    return `${message.publishTime.toISOString()} ${JSON.stringify(message.attributes)} ${message.data.toString('utf8')}`
  }
}
