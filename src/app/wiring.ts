/**
 * The wiring `nightly`, `serve`, `work`, `quality` and `drain` share, written once: the topics, the
 * engine, and the drain, ferry-work and ferry-quality consumers built from the configuration and the
 * project's datasets. A command decides only when they run (once, until idle, on a schedule).
 */
import type { OpenInfrastructure } from '../adapters/index.js'
import type { FerryConfig } from '../config/load.js'
import { createQualityHandler, type QualityDeps } from '../consumers/quality.js'
import { createWorkHandler } from '../consumers/work.js'
import type { DatasetInfo } from '../core/dataset.js'
import { type FileEngine, openFileEngine } from '../core/engine/runner.js'
import type { WriteCodec } from '../core/formats/parquet/encode/codec.js'
import { codecOf, type OutputCompression } from '../core/formats/parquet/encode/compression.js'
import { InterruptedError } from '../errors.js'
import { LedgerTracker } from '../ledger/tracker.js'
import type { EventLog, TopicSpec } from '../ports.js'
import { type DrainSummary, drain } from '../producers/drain.js'
import { type App, requireDatasets } from './boot.js'

export function topicSpecs(config: FerryConfig): TopicSpec[] {
  const { topics, partitions } = config.kafka
  return [
    { name: topics.objects, partitions },
    { name: topics.results, partitions },
    { name: topics.dlq, partitions: 1 },
    // Created here for every command; the ledger store makes it compacted on first use.
    { name: topics.ledger, partitions },
  ]
}

/** The topics and the quality bus topic every pipeline command needs before it starts. */
export async function ensureTopics(
  app: App,
  infra: OpenInfrastructure,
  options: { bus?: boolean } = {},
): Promise<void> {
  await infra.log.ensureTopics(topicSpecs(app.config))
  if (options.bus !== false) await infra.bus.ensureTopic(app.config.bus.topic)
}

/** A view of the ledger; commands that run several stages share one so that it stays current. */
export function ledgerView(app: App, infra: OpenInfrastructure): LedgerTracker {
  return new LedgerTracker(infra.ledger, app.logger.child({ component: 'ledger' }))
}

/**
 * How long the file in hand may go on after SIGINT/SIGTERM before its worker thread is stopped: the
 * command must end within 5 s, and leaving the group and closing the clients take the rest.
 */
export const SHUTDOWN_GRACE_MS = 2000

export interface EngineUse {
  /** aborted on SIGINT/SIGTERM: after `graceMs` the worker threads are stopped, mid-decode included */
  signal?: AbortSignal
  /** how long the file in hand may go on after the signal (default 0: at once) */
  graceMs?: number
  /** whether the command needs datasets (default true); the debug kit reads files without any */
  datasets?: 'required' | 'optional'
}

/** Each dataset's output codec: its own `compression:` in dataset.yaml, else the configuration's. */
export function outputCodecs(
  datasets: readonly Pick<DatasetInfo, 'name' | 'compression'>[],
  configured: OutputCompression,
): Record<string, WriteCodec> {
  return Object.fromEntries(datasets.map((dataset) => [dataset.name, codecOf(dataset.compression ?? configured)]))
}

/**
 * Runs `use` with the engine the worker processes files with: worker threads that import the
 * project's datasets (a broken transform module stops the command here, exit 2), within the
 * configured limits and decoder, writing each dataset's outputs with its codec (`outputCodecs`).
 * The threads stop however `use` ends, and, once the signal aborts and the grace is over, whatever
 * they run rejects with an InterruptedError (retryable: nothing in hand is committed, so the next
 * run does it again).
 */
export async function withEngine<T>(
  app: App,
  use: (engine: FileEngine) => Promise<T>,
  options: EngineUse = {},
): Promise<T> {
  const datasets = options.datasets === 'optional' ? app.project.datasets : requireDatasets(app)
  const engine = await openFileEngine({
    datasets,
    limits: app.config.work.limits,
    decoder: app.config.work.decoder,
    codec: outputCodecs(datasets, app.config.output.compression),
  })
  let grace: NodeJS.Timeout | undefined
  const onAbort = () => {
    const reason =
      options.signal?.reason instanceof InterruptedError ? options.signal.reason : new InterruptedError('interrupted')
    grace = setTimeout(() => void engine.close(reason), options.graceMs ?? 0)
  }
  if (options.signal?.aborted) onAbort()
  else options.signal?.addEventListener('abort', onAbort, { once: true })
  try {
    return await use(engine)
  } finally {
    clearTimeout(grace)
    options.signal?.removeEventListener('abort', onAbort)
    await engine.close()
  }
}

export interface ConsumerRun {
  signal?: AbortSignal
  /** exit once the group has no lag for `work.idleMs` */
  untilIdle?: boolean
  onJoined?: () => void
  ledger?: LedgerTracker
}

/** How a consumer group runs: until idle or the signal, telling when it joins. */
function runOptions(app: App, run: ConsumerRun) {
  return {
    untilIdle: run.untilIdle ? { idleMs: app.config.work.idleMs } : undefined,
    signal: run.signal,
    onJoined: run.onJoined,
  }
}

/** The ferry-work consumer group, processing with `engine`. */
export function consumeWork(app: App, infra: OpenInfrastructure, engine: FileEngine, run: ConsumerRun): Promise<void> {
  const { config, logger } = app
  return infra.log.consume({
    groupId: config.kafka.groups.work,
    topic: config.kafka.topics.objects,
    ...runOptions(app, run),
    // Records carry their own run id (leftovers may come from an earlier run): logs take that one.
    handler: createWorkHandler({
      source: infra.source,
      output: {
        store: infra.output,
        bucket: config.output.bucket,
        prefix: config.output.prefix,
        quarantinePrefix: config.output.quarantinePrefix,
      },
      log: infra.log,
      topics: config.kafka.topics,
      datasets: app.project.datasets,
      engine,
      retry: { maxAttempts: config.work.maxAttempts, baseMs: config.work.retryBaseMs },
      logger: logger.child({ component: 'work' }),
      uri: infra.uri,
      ledger: run.ledger ?? ledgerView(app, infra),
      signal: run.signal,
    }),
  })
}

/** Where the quality consumer reads outputs and keeps the metrics history. */
export function outputLocation(app: App, infra: OpenInfrastructure): QualityDeps['output'] {
  return { store: infra.output, bucket: app.config.output.bucket, prefix: app.config.output.prefix }
}

/** The ferry-quality consumer group. */
export function consumeQuality(
  app: App,
  infra: OpenInfrastructure,
  run: ConsumerRun & Pick<QualityDeps, 'onEvaluated'>,
): Promise<void> {
  const { config, logger } = app
  return infra.log.consume({
    groupId: config.kafka.groups.quality,
    topic: config.kafka.topics.results,
    ...runOptions(app, run),
    handler: createQualityHandler({
      bus: infra.bus,
      topic: config.bus.topic,
      datasets: app.project.datasets,
      output: outputLocation(app, infra),
      logger: logger.child({ component: 'quality' }),
      ledger: run.ledger ?? ledgerView(app, infra),
      onEvaluated: run.onEvaluated,
    }),
  })
}

export interface DrainRun {
  runId: string
  waitSeconds: number
  emptyReceives: number
  ledger?: LedgerTracker
  signal?: AbortSignal
  /** the event log to produce to, when the caller watches what the drain queues */
  log?: EventLog
}

/** One drain of the notification queue into ferry.objects. */
export function drainQueue(app: App, infra: OpenInfrastructure, run: DrainRun): Promise<DrainSummary> {
  const { config, logger } = app
  return drain(infra.queue, run.log ?? infra.log, logger.child({ component: 'drain', run_id: run.runId }), {
    runId: run.runId,
    topics: config.kafka.topics,
    waitSeconds: run.waitSeconds,
    emptyReceives: run.emptyReceives,
    visibilityTimeoutSeconds: 120,
    ledger: run.ledger ?? ledgerView(app, infra),
    quality: { bus: infra.bus, topic: config.bus.topic },
    signal: run.signal,
  })
}
