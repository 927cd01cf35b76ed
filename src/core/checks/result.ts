import type { CheckResult, Severity } from '../messages.js'

/** One verdict: a check that does not hold takes its configured severity as its status. */
export function check(
  name: string,
  severity: Severity,
  ok: boolean,
  observed: CheckResult['observed'],
  threshold: CheckResult['threshold'],
  message: string,
): CheckResult {
  return { name, status: ok ? 'pass' : severity, severity, observed, threshold, message }
}

/** The event's overall verdict: any failing check fails it; warnings only raise its severity. */
export function verdict(checks: readonly CheckResult[]): {
  status: 'pass' | 'fail'
  severity: 'info' | 'warn' | 'fail'
} {
  if (checks.some((c) => c.status === 'fail')) return { status: 'fail', severity: 'fail' }
  return { status: 'pass', severity: checks.some((c) => c.status === 'warn') ? 'warn' : 'info' }
}

/** Rates and scores are reported to 4 decimals: enough to compare with a threshold, short in an event. */
export function round(value: number): number {
  return Math.round(value * 10_000) / 10_000
}

/** A rate that is 0 when nothing was counted, instead of NaN. */
export function rate(part: number, whole: number): number {
  return whole === 0 ? 0 : round(part / whole)
}
