import { randomBytes } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import type { FerryConfig } from '../config/load.js'
import { createQualityHandler } from '../consumers/quality.js'
import { createWorkHandler } from '../consumers/work.js'
import type { Dataset } from '../core/dataset.js'
import { type FileEngine, openFileEngine } from '../core/engine/runner.js'
import type { FileResult, NightQualityEvent, QualityEvent } from '../core/messages.js'
import type { LedgerStore } from '../ledger/store.js'
import { LedgerTracker } from '../ledger/tracker.js'
import type { EventBus, EventLog, NotificationQueue, ObjectStore } from '../ports.js'
import { type DrainSummary, drain } from '../producers/drain.js'
import { datasets as builtInDatasets } from '../schemas/datasets/index.js'
import type { Logger } from './logger.js'
import { evaluateNight, tapProduced } from './night-checks.js'

/** Everything a night talks to, built by the composition root from the config. */
export interface Infrastructure {
  source: ObjectStore
  output: ObjectStore
  queue: NotificationQueue
  bus: EventBus
  log: EventLog
  /** per-file state (ferry.ledger) */
  ledger: LedgerStore
  uri: (store: ObjectStore, bucket: string, key: string) => string
}

export interface FileOutcome {
  key: string
  dataset: string
  status: FileResult['status']
  quality: QualityEvent['status']
  rowsIn: number
  rowsOut: number
  rowsRejected: number
  durationMs: number
  output: string | null
  quarantine: string | null
  reason: string | null
}

export interface NightSummary {
  runId: string
  startedAt: string
  durationMs: number
  drain: DrainSummary
  files: FileOutcome[]
  /** how many of `files` an earlier run had queued (leftovers after a crash) */
  earlierRuns: number
  /** the night-level quality verdict of every configured dataset (set by runNight) */
  nights?: NightQualityEvent[]
}

/** `run-20261124T000100Z-a1b2c3`; replays and backfills use their own prefix. */
export function newRunId(now = new Date(), prefix: 'run' | 'replay' | 'backfill' = 'run'): string {
  return `${prefix}-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`
}

export function topicSpecs(config: FerryConfig) {
  const { topics, partitions } = config.kafka
  return [
    { name: topics.objects, partitions },
    { name: topics.results, partitions },
    { name: topics.dlq, partitions: 1 },
    // Created here for every command; the ledger store makes it compacted on first use.
    { name: topics.ledger, partitions },
  ]
}

/**
 * Runs `use` with the engine a worker processes files with (limits and decoder from the config),
 * and stops the engine's thread afterwards, however `use` ends.
 */
export async function withWorkEngine<T>(config: FerryConfig, use: (engine: FileEngine) => Promise<T>): Promise<T> {
  const engine = openFileEngine({ limits: config.work.limits, decoder: config.work.decoder, builtIn: builtInDatasets })
  try {
    return await use(engine)
  } finally {
    await engine.close()
  }
}

export function workHandler(
  infra: Infrastructure,
  config: FerryConfig,
  datasets: Dataset[],
  logger: Logger,
  engine: FileEngine,
  signal?: AbortSignal,
  ledger = new LedgerTracker(infra.ledger, logger.child({ component: 'ledger' })),
) {
  return createWorkHandler({
    source: infra.source,
    output: {
      store: infra.output,
      bucket: config.output.bucket,
      prefix: config.output.prefix,
      quarantinePrefix: config.output.quarantinePrefix,
    },
    log: infra.log,
    topics: config.kafka.topics,
    datasets,
    engine,
    retry: { maxAttempts: config.work.maxAttempts, baseMs: config.work.retryBaseMs },
    logger: logger.child({ component: 'work' }),
    uri: infra.uri,
    ledger,
    signal,
  })
}

export interface NightOptions {
  runId: string
  waitSeconds: number
  emptyReceives: number
  signal?: AbortSignal
}

/**
 * One night, as cron runs it: drain the queue into Kafka, then run the work and quality consumer
 * groups until they are idle. Returns what happened to every file this run queued.
 */
export async function runNight(
  infra: Infrastructure,
  config: FerryConfig,
  datasets: Dataset[],
  logger: Logger,
  options: NightOptions,
): Promise<NightSummary> {
  const started = performance.now()
  const startedAt = new Date().toISOString()
  const log = logger.child({ run_id: options.runId })
  await infra.log.ensureTopics(topicSpecs(config))
  await infra.bus.ensureTopic(config.bus.topic)

  // What the drain queued tonight, to find objects that were never processed.
  const queued = tapProduced(infra.log, config.kafka.topics.objects)
  // One view of the ledger for the whole night: drain, work and quality run one after the other.
  const ledger = new LedgerTracker(infra.ledger, logger.child({ component: 'ledger' }))
  const drained = await drain(infra.queue, queued.log, log.child({ component: 'drain' }), {
    runId: options.runId,
    topics: config.kafka.topics,
    waitSeconds: options.waitSeconds,
    emptyReceives: options.emptyReceives,
    visibilityTimeoutSeconds: 120,
    ledger,
    quality: { bus: infra.bus, topic: config.bus.topic },
    signal: options.signal,
  })

  const idle = { idleMs: config.work.idleMs }
  await withWorkEngine(config, (engine) =>
    infra.log.consume({
      groupId: config.kafka.groups.work,
      topic: config.kafka.topics.objects,
      untilIdle: idle,
      signal: options.signal,
      // Records carry their own run id (leftovers may come from an earlier run): log with that one.
      handler: workHandler(infra, config, datasets, logger, engine, options.signal, ledger),
    }),
  )

  const files = new Map<string, FileOutcome>()
  const results = new Map<string, FileResult>()
  const output = { store: infra.output, bucket: config.output.bucket, prefix: config.output.prefix }
  let earlierRuns = 0
  await infra.log.consume({
    groupId: config.kafka.groups.quality,
    topic: config.kafka.topics.results,
    untilIdle: idle,
    signal: options.signal,
    handler: createQualityHandler({
      bus: infra.bus,
      topic: config.bus.topic,
      datasets,
      output,
      logger: logger.child({ component: 'quality' }),
      ledger,
      onEvaluated: (result, event) => {
        // Leftovers an earlier, interrupted run queued are judged with tonight's files: no other run
        // reports them, so leaving them out would let a resumed night pass over their failures.
        if (result.runId !== options.runId) earlierRuns++
        // Keyed by source identity: a redelivered object counts once, with its latest outcome.
        files.set(`${result.source.bucket}/${result.source.key}`, outcome(result, event))
        results.set(`${result.source.bucket}/${result.source.key}`, result)
      },
    }),
  })
  // An interrupted night has not ended: judging it would report every file not reached yet as missing.
  const nights = options.signal?.aborted
    ? undefined
    : await evaluateNight({
        runId: options.runId,
        datasets,
        results: [...results.values()],
        drained: queued.keys,
        output,
        bus: infra.bus,
        topic: config.bus.topic,
        logger: logger.child({ component: 'quality' }),
      })
  return {
    runId: options.runId,
    startedAt,
    durationMs: Math.round(performance.now() - started),
    drain: drained,
    files: [...files.values()].sort((a, b) => a.key.localeCompare(b.key)),
    earlierRuns,
    nights,
  }
}

function outcome(result: FileResult, event: QualityEvent): FileOutcome {
  const failed = event.checks.filter((c) => c.status === 'fail')
  return {
    key: `${result.source.bucket}/${result.source.key}`,
    dataset: event.dataset,
    status: result.status,
    quality: event.status,
    rowsIn: result.rowsIn,
    rowsOut: result.rowsOut,
    rowsRejected: result.rowsRejected,
    durationMs: result.durationsMs.total,
    output: result.output,
    quarantine: result.quarantine,
    reason: failed.length ? failed.map((c) => `${c.name}: ${c.message}`).join('; ') : null,
  }
}
