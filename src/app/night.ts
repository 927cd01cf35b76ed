/**
 * One night, as cron runs it (`ferry nightly`, `ferry demo`): drain the queue into Kafka, then run the
 * work and quality consumer groups until they are idle, then judge each dataset's night.
 */
import { performance } from 'node:perf_hooks'
import type { OpenInfrastructure } from '../adapters/index.js'
import { matchDatasets } from '../core/keys.js'
import type { FileResult } from '../core/messages.js'
import { type FileOutcome, fileOutcome, type NightSummary } from '../ops/night.js'
import { evaluateNight, tapProduced } from '../ops/night-checks.js'
import type { App } from './boot.js'
import {
  consumeQuality,
  consumeWork,
  drainQueue,
  ensureTopics,
  ledgerView,
  outputLocation,
  SHUTDOWN_GRACE_MS,
  withEngine,
} from './wiring.js'

export interface NightOptions {
  runId: string
  waitSeconds: number
  emptyReceives: number
  signal?: AbortSignal
}

/** Returns what happened to every file this run queued (and to leftovers an earlier run queued). */
export async function runNight(app: App, infra: OpenInfrastructure, options: NightOptions): Promise<NightSummary> {
  const started = performance.now()
  const startedAt = new Date().toISOString()
  const { config, logger } = app
  await ensureTopics(app, infra)

  // What the drain queued tonight, to find objects that were never processed.
  const queued = tapProduced(infra.log, config.kafka.topics.objects)
  // One view of the ledger for the whole night: drain, work and quality run one after the other.
  const ledger = ledgerView(app, infra)
  const run = { untilIdle: true, signal: options.signal, ledger }
  // The engine first: a dataset whose code cannot load stops the night before anything is drained.
  const drained = await withEngine(
    app,
    async (engine) => {
      const summary = await drainQueue(app, infra, { ...options, ledger, log: queued.log })
      await consumeWork(app, infra, engine, run)
      return summary
    },
    { signal: options.signal, graceMs: SHUTDOWN_GRACE_MS },
  )

  const files = new Map<string, FileOutcome>()
  const results = new Map<string, FileResult>()
  let earlierRuns = 0
  await consumeQuality(app, infra, {
    ...run,
    onEvaluated: (result, event, skipped) => {
      // Leftovers an earlier, interrupted run queued are judged with tonight's files: no other run
      // reports them, so leaving them out would let a resumed night pass over their failures.
      if (result.runId !== options.runId) earlierRuns++
      // Keyed by source identity: a redelivered object counts once, with its latest outcome.
      files.set(`${result.source.bucket}/${result.source.key}`, fileOutcome(result, event, skipped))
      results.set(`${result.source.bucket}/${result.source.key}`, result)
    },
  })
  // An interrupted night has not ended: judging it would report every file not reached yet as missing.
  const nights = options.signal?.aborted
    ? undefined
    : await evaluateNight({
        runId: options.runId,
        datasets: app.project.datasets,
        results: [...results.values()],
        drained: queued.keys,
        output: outputLocation(app, infra),
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
    ambiguous: ambiguousKeys(app, [...results.values()]),
  }
}

/** Tonight's keys that several datasets match: reported once per night, in the summary. */
function ambiguousKeys(app: App, results: readonly FileResult[]): NonNullable<NightSummary['ambiguous']> {
  return results.flatMap((r) => {
    const matches = matchDatasets(app.project.datasets, r.source.key)
    return matches.length > 1
      ? [{ key: `${r.source.bucket}/${r.source.key}`, datasets: matches.map((m) => m.dataset.name) }]
      : []
  })
}
