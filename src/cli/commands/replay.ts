import { type OpenInfrastructure, openInfrastructure } from '../../adapters/index.js'
import { inSourceStore, locateObject } from '../../adapters/object-uri.js'
import { requireLocalState } from '../../app/boot.js'
import { topicSpecs } from '../../app/wiring.js'
import type { FerryConfig } from '../../config/load.js'
import { FerryError, UsageError } from '../../errors.js'
import { LedgerTracker } from '../../ledger/tracker.js'
import type { Logger } from '../../ops/logger.js'
import { newRunId } from '../../ops/night.js'
import { directMessages, enqueueObjects } from '../../ops/replay/enqueue.js'
import { followReplay } from '../../ops/replay/follow.js'
import { formatPlan } from '../../ops/replay/format.js'
import { executeReplay, prepareReplay, type ReplayMode, type ReplayRequest } from '../../ops/replay/offsets.js'
import type { ReplayPlan } from '../../ops/replay/plan.js'
import { progressBar } from '../../ops/replay/progress.js'
import { parseDuration, parseInstant } from '../../ops/replay/time.js'
import { boolOpt, type CliContext, type Command, Exit, type ExitCode, type ParsedArgs, stringOpt } from '../command.js'
import { createRuntime } from '../runtime.js'

const MODES = ['to-offset', 'to-datetime', 'by-duration', 'shift-by', 'to-earliest'] as const

export const replayCommand: Command = {
  name: 'replay',
  summary: 'reprocess: reset a consumer group (dry run by default), or re-enqueue one object',
  usage: `Usage: ferry replay [--group G] [--topic T] (--to-offset N [--partition P] | --to-datetime ISO
                    | --by-duration PT2H | --shift-by=-N | --to-earliest) [--execute [--follow]]
       ferry replay --object s3://bucket/key

Resets the committed offsets of a consumer group, like kafka-consumer-groups --reset-offsets but
safer: it prints the plan (per partition: committed offset, new offset, messages processed again)
and changes nothing unless --execute is given, and it refuses (exit 2) while the group has running
members, whose next commit would undo the reset. Targets are clamped to each partition's range.
The group defaults to ferry-work on ferry.objects: its workers then process those files again,
bypassing the duplicate skip (re-delivered messages are never duplicates); outputs are overwritten.

--object enqueues one object now under a new run id replay-...: its result and quality event carry
that run id, and it is processed even if this version was already written.

Examples:
  ferry replay --by-duration PT2H                 # plan: the last two hours of ferry.objects
  ferry replay --to-datetime 2026-11-24T00:00:00Z --execute
  ferry replay --group ferry-quality --topic ferry.results --shift-by=-10 --execute
  ferry replay --object s3://landing/orders/2026-11-23/orders-0001.parquet`,
  options: {
    group: { type: 'string' },
    topic: { type: 'string' },
    'to-offset': { type: 'string' },
    partition: { type: 'string' },
    'to-datetime': { type: 'string' },
    'by-duration': { type: 'string' },
    'shift-by': { type: 'string' },
    'to-earliest': { type: 'boolean' },
    execute: { type: 'boolean' },
    follow: { type: 'boolean' },
    object: { type: 'string' },
  },
  optionHelp: {
    group: 'consumer group (default: the work group, ferry-work)',
    topic: 'topic (default: the objects topic, ferry.objects)',
    'to-offset': 'reset to this offset (with --partition: on that partition only)',
    partition: 'limit the reset to one partition',
    'to-datetime': 'reset to the first message at or after this instant (2026-11-24T00:00:00Z)',
    'by-duration': 'reset to the first message of the last ISO-8601 duration (PT2H, P1D, PT30M)',
    'shift-by': 'move each committed offset by N; back with a negative N, written --shift-by=-N',
    'to-earliest': 'reset to the start of the log',
    execute: 'apply the plan (default: dry run)',
    follow: 'after --execute, show progress until the consumers reprocessed the range (Ctrl-C stops watching)',
    object: 'enqueue this object (s3://bucket/key) for processing now',
  },
  async run(args, ctx) {
    const object = stringOpt(args, 'object')
    const chosen = MODES.filter((m) => args.values[m] !== undefined)
    if (object !== undefined) {
      const others = [...chosen, 'group', 'topic', 'partition', 'execute', 'follow'].filter(
        (o) => args.values[o] !== undefined,
      )
      if (others.length) throw new UsageError(`--object cannot be combined with --${others.join(', --')}`)
    } else if (chosen.length !== 1) {
      throw new UsageError(`give exactly one of --${MODES.join(', --')} (or --object)`)
    }
    if (boolOpt(args, 'follow') && !boolOpt(args, 'execute')) throw new UsageError('--follow needs --execute')
    const app = createRuntime(args, ctx)
    const { config, logger } = app
    // Parsed before connecting: a usage error should not wait for Kafka.
    const request = object === undefined ? replayRequest(args, config) : undefined
    if (!boolOpt(args, 'execute')) requireLocalState(app)
    const infra = await openInfrastructure(config, logger)
    try {
      return request
        ? await resetOffsets(infra, args, request, ctx)
        : await replayObject(infra, config, logger, object ?? '', ctx)
    } finally {
      await infra.close()
    }
  },
}

/** `value`, one of `choices`; UsageError naming them otherwise. */
function oneOf(value: string, choices: readonly string[], name: string): string {
  if (!choices.includes(value))
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got ${JSON.stringify(value)}`)
  return value
}

function replayRequest(args: ParsedArgs, config: FerryConfig): ReplayRequest {
  const partition = stringOpt(args, 'partition')
  const { groups, topics } = config.kafka
  return {
    groupId: oneOf(stringOpt(args, 'group') ?? groups.work, [groups.work, groups.quality], 'group'),
    topic: oneOf(stringOpt(args, 'topic') ?? topics.objects, [topics.objects, topics.results], 'topic'),
    mode: replayMode(args),
    ...(partition === undefined ? {} : { partition: Number(integer(partition, 'partition', false)) }),
  }
}

function replayMode(args: ParsedArgs): ReplayMode {
  const offset = stringOpt(args, 'to-offset')
  if (offset !== undefined) return { kind: 'offset', offset: integer(offset, 'to-offset', false) }
  const shift = stringOpt(args, 'shift-by')
  if (shift !== undefined) return { kind: 'shift', by: integer(shift, 'shift-by', true) }
  const datetime = stringOpt(args, 'to-datetime')
  if (datetime !== undefined) return { kind: 'time', at: parseInstant(datetime) }
  const duration = stringOpt(args, 'by-duration')
  if (duration !== undefined) return { kind: 'time', at: new Date(Date.now() - parseDuration(duration)) }
  return { kind: 'earliest' }
}

function integer(raw: string, name: string, signed: boolean): bigint {
  if (!(signed ? /^[+-]?\d+$/ : /^\d+$/).test(raw.trim())) {
    throw new UsageError(
      `--${name} must be ${signed ? 'an integer' : 'a non-negative integer'}, got ${JSON.stringify(raw)}`,
    )
  }
  return BigInt(raw.trim())
}

async function resetOffsets(
  infra: OpenInfrastructure,
  args: ParsedArgs,
  request: ReplayRequest,
  ctx: CliContext,
): Promise<ExitCode> {
  const prepared = await prepareReplay(infra.admin, request)
  if (prepared.kind === 'active') {
    ctx.err(
      `ferry replay: group ${request.groupId} is active (state ${prepared.state}, ${prepared.members} member(s)); ` +
        'offsets can only be reset while it has no running consumers: stop them (ferry work / ferry quality) and retry',
    )
    return Exit.ERROR
  }
  if (!boolOpt(args, 'execute')) {
    for (const line of formatPlan(request, prepared.plan, false)) ctx.out(line)
    return Exit.OK
  }
  await executeReplay(infra.admin, request, prepared.plan)
  for (const line of formatPlan(request, prepared.plan, true)) ctx.out(line)
  if (boolOpt(args, 'follow')) await follow(infra, request, prepared.plan, ctx)
  return Exit.OK
}

async function follow(infra: OpenInfrastructure, request: ReplayRequest, plan: ReplayPlan, ctx: CliContext) {
  const bar = progressBar(process.stderr, 'replayed', Number(plan.reprocess))
  const done = await followReplay(infra.admin, request, plan, {
    pollMs: 1000,
    signal: ctx.signal,
    onProgress: (n) => bar.update(Number(n)),
  })
  bar.finish()
  ctx.out(done ? `replay done: ${plan.reprocess} message(s) processed again` : 'stopped watching; the replay goes on')
}

async function replayObject(
  infra: OpenInfrastructure,
  config: FerryConfig,
  logger: Logger,
  url: string,
  ctx: CliContext,
): Promise<ExitCode> {
  const { bucket, key: path } = inSourceStore(locateObject(url, config, ctx.cwd), config, url)
  if (path === '' || path.endsWith('/')) throw new UsageError(`--object names a folder, not an object: ${url}`)
  const info = await infra.source.head(bucket, path)
  if (!info) throw new FerryError('FERRY_SOURCE_READ', `no such object: ${url}`, { context: { bucket, key: path } })
  await infra.log.ensureTopics(topicSpecs(config))
  const runId = newRunId(new Date(), 'replay')
  const ledger = new LedgerTracker(infra.ledger, logger.child({ component: 'ledger' }))
  const messages = await directMessages([info], runId, ledger, new Date())
  await enqueueObjects(infra.log, config.kafka.topics.objects, ledger, messages)
  logger.info({ run_id: runId, bucket, key: path, eTag: info.etag }, 'object enqueued for replay')
  ctx.out(`replay run_id=${runId} object=${url} eTag=${info.etag ?? '-'} queued=1`)
  return Exit.OK
}
