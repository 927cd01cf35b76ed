import type { CheckResult, FileResult, QualityEvent, Severity } from './messages.js'

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
  const ratio = result.rowsIn === 0 ? 0 : round(result.rowsOut / result.rowsIn)
  const rejected = result.rowsIn === 0 ? 0 : round(result.rowsRejected / result.rowsIn)
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

export function qualityEvent(result: FileResult, checks: CheckResult[], evaluatedAt: Date): QualityEvent {
  const failed = checks.some((c) => c.status === 'fail')
  const warned = checks.some((c) => c.status === 'warn')
  return {
    schema: 'ferry.quality/v1',
    scope: 'file',
    runId: result.runId,
    traceId: result.traceId,
    dataset: result.dataset ?? 'unknown',
    status: failed ? 'fail' : 'pass',
    severity: failed ? 'fail' : warned ? 'warn' : 'info',
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

/** Pub/Sub attributes subscribers filter on (`attributes.status = "fail"`). */
export function qualityAttributes(event: QualityEvent): Record<string, string> {
  return {
    dataset: event.dataset,
    status: event.status,
    severity: event.severity,
    scope: event.scope,
    run_id: event.runId,
    trace_id: event.traceId,
  }
}

function check(
  name: string,
  severity: Severity,
  ok: boolean,
  observed: CheckResult['observed'],
  threshold: CheckResult['threshold'],
  message: string,
): CheckResult {
  return { name, status: ok ? 'pass' : severity, severity, observed, threshold, message }
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000
}
