/** What a night did, as `nightly` and `demo` report it (the run itself: src/app/night.ts). */
import { randomBytes } from 'node:crypto'
import type { FileResult, NightQualityEvent, QualityEvent } from '../core/messages.js'
import type { DrainSummary } from '../producers/drain.js'

export interface FileOutcome {
  /** `bucket/key` of the source, which identifies it in the night */
  key: string
  /** the source's URI, as every command takes it */
  uri: string
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
  /** not processed again: a duplicate notification of a version already written (outputs untouched) */
  alreadyProcessed: boolean
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
  /** keys tonight that several datasets match, each processed as the first of `datasets` (keys.ts) */
  ambiguous?: Array<{ key: string; datasets: string[] }>
}

/** `run-20261124T000100Z-a1b2c3`; replays and backfills use their own prefix. */
export function newRunId(now = new Date(), prefix: 'run' | 'replay' | 'backfill' = 'run'): string {
  return `${prefix}-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`
}

/** One file of the night as the summary shows it. */
export function fileOutcome(result: FileResult, event: QualityEvent, alreadyProcessed = false): FileOutcome {
  const failed = event.checks.filter((c) => c.status === 'fail')
  return {
    key: `${result.source.bucket}/${result.source.key}`,
    uri: result.source.uri,
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
    alreadyProcessed,
  }
}
