import type { FileResult, QualityEvent } from '../core/messages.js'
import type { HistoryEntry } from './history-schema.js'
import type { DatasetNight } from './report/model.js'

/** Failures kept per dataset-night: what a person reads in a report; the counts say how many. */
const MAX_FAILURES = 20
const MAX_SLOWEST = 5
const MAX_REASON = 500

/** What one evaluated file adds to its dataset-night. */
export function historyEntry(result: FileResult, event: QualityEvent): HistoryEntry {
  const failed = event.checks.filter((c) => c.status === 'fail')
  const reason =
    result.status === 'dead-lettered'
      ? `dead-lettered: ${result.error?.message ?? 'unknown error'}`
      : failed.length
        ? failed.map((c) => `${c.name}: ${c.message}`).join('; ')
        : null
  return {
    schema: 'ferry.history-file/v1',
    dataset: event.dataset,
    date: result.eventDate,
    key: `${result.source.bucket}/${result.source.key}`,
    runId: result.runId,
    status: result.status,
    rowsIn: result.rowsIn,
    rowsOut: result.rowsOut,
    rowsRejected: result.rowsRejected,
    bytesIn: result.bytesIn,
    bytesOut: result.bytesOut,
    durationMs: result.durationsMs.total,
    quality: event.status,
    ...(reason === null ? {} : { reason: reason.slice(0, MAX_REASON) }),
    evaluatedAt: event.evaluatedAt,
  }
}

export interface RollupMeta {
  dataset: string
  date: string
  runId: string
  updatedAt: string
  /** failures of the night as a whole (night checks), listed before the files' */
  nightFailures?: Array<{ key: string; reason: string }>
}

/**
 * Totals of one dataset-night from its files' entries: one entry per source object, so a file
 * evaluated twice (a redelivery, a rerun) counts once, with whatever its latest evaluation said.
 */
export function rollup(entries: readonly HistoryEntry[], meta: RollupMeta): DatasetNight {
  const night: DatasetNight = {
    dataset: meta.dataset,
    date: meta.date,
    runId: meta.runId,
    files: 0,
    filesWritten: 0,
    filesDeadLettered: 0,
    rowsIn: 0,
    rowsOut: 0,
    rowsRejected: 0,
    bytesIn: 0,
    bytesOut: 0,
    durationMsTotal: 0,
    durationMsMax: 0,
    qualityPass: 0,
    qualityFail: 0,
    failures: [],
    slowest: [],
    updatedAt: meta.updatedAt,
  }
  const sorted = [...entries].sort((a, b) => compare(a.key, b.key))
  for (const e of sorted) {
    night.files++
    if (e.status === 'dead-lettered') night.filesDeadLettered++
    else night.filesWritten++
    night.rowsIn += e.rowsIn
    night.rowsOut += e.rowsOut
    night.rowsRejected += e.rowsRejected
    night.bytesIn += e.bytesIn
    night.bytesOut += e.bytesOut
    night.durationMsTotal += e.durationMs
    night.durationMsMax = Math.max(night.durationMsMax, e.durationMs)
    if (e.quality === 'pass') night.qualityPass++
    else night.qualityFail++
  }
  night.durationMsTotal = Math.round(night.durationMsTotal * 10) / 10
  const fileFailures = sorted
    .filter((e) => e.quality === 'fail')
    .map((e) => ({ key: e.key, reason: e.reason ?? 'failed quality' }))
  night.failures = [...(meta.nightFailures ?? []), ...fileFailures].slice(0, MAX_FAILURES)
  night.slowest = sorted
    .map((e) => ({ key: e.key, durationMs: e.durationMs }))
    .sort((a, b) => b.durationMs - a.durationMs || compare(a.key, b.key))
    .slice(0, MAX_SLOWEST)
  return night
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
