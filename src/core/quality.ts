import type { FileStats } from './checks/column-stats.js'
import { columnChecks, outputRowsCheck, outputUnreadable } from './checks/columns.js'
import { driftCheck } from './checks/drift.js'
import { check, rate, verdict } from './checks/result.js'
import type { DatasetInfo } from './dataset.js'
import type {
  CheckResult,
  FileResult,
  NightQualityEvent,
  NotificationQualityEvent,
  QualityEvent,
  QualityMessage,
} from './messages.js'
import { propertyView } from './validation/refs.js'

export interface FileThresholds {
  /** rows out / rows in must be at least this (default 0.95) */
  minRowRatio: number
  /** rejected rows / rows in must be at most this */
  maxRejectedRate: number
}

export const DEFAULT_THRESHOLDS: FileThresholds = { minRowRatio: 0.95, maxRejectedRate: 0.05 }

/** The per-file checks, in a stable order. Pure: the same result always gets the same verdicts. */
export function checkFile(result: FileResult, thresholds: FileThresholds): CheckResult[] {
  const processed = result.status !== 'dead-lettered'
  const checks: CheckResult[] = [
    check(
      'processing',
      'fail',
      processed,
      result.status,
      'written|quarantined',
      processed ? 'file was processed' : `file was dead-lettered: ${result.error?.message ?? 'unknown error'}`,
    ),
  ]
  if (!processed) return checks
  const ratio = rate(result.rowsOut, result.rowsIn)
  const rejected = rate(result.rowsRejected, result.rowsIn)
  checks.push(
    check('non_empty', 'fail', result.rowsIn > 0, result.rowsIn, 1, `${result.rowsIn} row(s) read`),
    check(
      'reconciliation',
      'fail',
      result.rowsIn === result.rowsOut + result.rowsRejected,
      `${result.rowsIn}=${result.rowsOut}+${result.rowsRejected}`,
      'in=out+rejected',
      'every row read is either written or quarantined',
    ),
    check(
      'row_ratio',
      'fail',
      result.rowsIn > 0 && ratio >= thresholds.minRowRatio,
      ratio,
      thresholds.minRowRatio,
      `${result.rowsOut} of ${result.rowsIn} rows written (ratio ${ratio}, minimum ${thresholds.minRowRatio})`,
    ),
    check(
      'rejected_rate',
      'fail',
      rejected <= thresholds.maxRejectedRate,
      rejected,
      thresholds.maxRejectedRate,
      `${result.rowsRejected} row(s) rejected (rate ${rejected}, maximum ${thresholds.maxRejectedRate})`,
    ),
  )
  return checks
}

/** What the quality consumer learnt from the written output: its statistics, or why it could not read it. */
export type OutputReading = { stats: FileStats } | { unreadable: string }

/**
 * Every check of one file: the built-in ones (`checkFile`), then the dataset's declared checks that
 * apply. Schema drift needs the source columns the worker reported; column checks need `output`,
 * which the caller reads only when the dataset declares any (see needsOutputStats).
 */
export function evaluateFile(
  result: FileResult,
  dataset: DatasetInfo | undefined,
  output?: OutputReading,
): CheckResult[] {
  const checks = checkFile(result, dataset?.quality ?? DEFAULT_THRESHOLDS)
  const declared = dataset?.checks
  if (!dataset || !declared || result.status === 'dead-lettered') return checks
  if (declared.schemaDrift && result.sourceColumns) {
    const schema = propertyView(dataset.schema, dataset.schemaRefs)
    checks.push(driftCheck(result.sourceColumns, schema, declared.schemaDrift.severity ?? 'warn'))
  }
  if (output && 'unreadable' in output) checks.push(outputUnreadable(output.unreadable))
  else if (output) {
    checks.push(
      outputRowsCheck(output.stats, result.rowsOut),
      ...columnChecks(declared, output.stats, dataset.outputColumns, result.processedAt),
    )
  }
  return checks
}

export function qualityEvent(result: FileResult, checks: CheckResult[], evaluatedAt: Date): QualityEvent {
  return {
    schema: 'ferry.quality/v2',
    scope: 'file',
    runId: result.runId,
    traceId: result.traceId,
    dataset: result.dataset ?? 'unknown',
    ...verdict(checks),
    checks,
    source: {
      bucket: result.source.bucket,
      key: result.source.key,
      uri: result.source.uri,
      ...(result.source.eTag === undefined ? {} : { eTag: result.source.eTag }),
    },
    counts: { rowsIn: result.rowsIn, rowsOut: result.rowsOut, rowsRejected: result.rowsRejected },
    output: result.output,
    quarantine: result.quarantine,
    eventDate: result.eventDate,
    evaluatedAt: evaluatedAt.toISOString(),
  }
}

export function nightQualityEvent(
  night: Pick<NightQualityEvent, 'runId' | 'dataset' | 'date' | 'counts'>,
  checks: CheckResult[],
  evaluatedAt: Date,
): NightQualityEvent {
  return {
    schema: 'ferry.quality/v2',
    scope: 'night',
    runId: night.runId,
    dataset: night.dataset,
    date: night.date,
    ...verdict(checks),
    checks,
    counts: night.counts,
    evaluatedAt: evaluatedAt.toISOString(),
  }
}

/** Characters of a dead-lettered notification's body a notification event carries (ferry.dlq keeps 64 KiB). */
export const MAX_NOTIFICATION_BODY = 4 * 1024

/**
 * The event for one queue message the drain dead-lettered: always a failure, with one check
 * (`notification_readable`) whose message is the reason. The body is cut to MAX_NOTIFICATION_BODY
 * characters, never inside a UTF-16 surrogate pair.
 */
export function notificationQualityEvent(
  notification: { runId: string; messageId: string; reason: string; body: string },
  evaluatedAt: Date,
): NotificationQualityEvent {
  return {
    schema: 'ferry.quality/v2',
    scope: 'notification',
    runId: notification.runId,
    status: 'fail',
    severity: 'fail',
    checks: [check('notification_readable', 'fail', false, false, true, notification.reason)],
    messageId: notification.messageId,
    reason: notification.reason,
    body: cut(notification.body, MAX_NOTIFICATION_BODY),
    evaluatedAt: evaluatedAt.toISOString(),
  }
}

function cut(text: string, max: number): string {
  if (text.length <= max) return text
  // a high surrogate at the cut would leave half a character
  const last = text.charCodeAt(max - 1)
  return text.slice(0, last >= 0xd800 && last <= 0xdbff ? max - 1 : max)
}

/**
 * Pub/Sub attributes subscribers filter on (`attributes.status = "fail"`, `attributes.scope = "night"`).
 * A notification event has no `dataset` attribute: a `dataset` filter leaves it out.
 */
export function qualityAttributes(event: QualityMessage): Record<string, string> {
  return {
    ...(event.scope === 'notification' ? {} : { dataset: event.dataset }),
    status: event.status,
    severity: event.severity,
    scope: event.scope,
    run_id: event.runId,
    // a night has no single trace: it is every file's
    ...(event.scope === 'file' ? { trace_id: event.traceId } : {}),
  }
}
