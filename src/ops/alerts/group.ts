import type { CheckResult, QualityMessage } from '../../core/messages.js'
import type { Alert, AlertItem } from '../../ports.js'
import type { NightSummary } from '../night.js'

/**
 * Pure grouping: a night's failing checks become a handful of alerts, one per dataset, each
 * listing a few files per check and counting the rest, capped per run. No I/O, no clock.
 */

/** One failing check on one file, or one failure of the night itself (no dataset). */
export interface Failure extends AlertItem {
  dataset?: string
  severity: 'warn' | 'fail'
}

/** A failure of the night as a whole, not of one file. */
export interface NightFailure {
  check: string
  severity: 'warn' | 'fail'
  observed: string
  threshold: string
  message: string
}

export interface GroupOptions {
  runId: string
  /** files listed per (dataset, check); the rest are counted in `omitted` */
  maxItemsPerCheck: number
  /** alerts allowed; when more are due, the last one allowed says what was suppressed */
  maxAlerts: number
  links?: Alert['links']
}

export interface Grouped {
  alerts: Alert[]
  /** alerts not built because of maxAlerts */
  suppressed: number
}

export const NIGHT_KEY = '(night)'
const MAX_SUPPRESSED_LISTED = 10

/**
 * The non-passing checks of a file's quality event, one Failure each; a passing event gives none.
 * Other scopes give none either: a night's checks are alerted from its summary (see the night
 * monitor), and dead-lettered notifications by `nightFailures` (`drain_dead_letters`).
 */
export function failuresOf(event: QualityMessage): Failure[] {
  if (event.scope !== 'file') return []
  return event.checks
    .filter((c): c is CheckResult & { status: 'warn' | 'fail' } => c.status !== 'pass')
    .map((c) => ({
      dataset: event.dataset,
      key: `${event.source.bucket}/${event.source.key}`,
      check: c.name,
      severity: c.status,
      observed: formatValue(c.observed),
      threshold: formatValue(c.threshold),
      message: c.message,
      output: event.output,
      quarantine: event.quarantine,
    }))
}

export function nightFailure(failure: NightFailure): Failure {
  return { ...failure, key: NIGHT_KEY }
}

/**
 * Failures visible only in the night's totals. An empty night is the classic silent failure (the
 * upstream export or the S3 notification broke), so fewer than `minFiles` files is a `fail`;
 * notifications the drain had to dead-letter are a `warn`. Files that failed quality are not
 * repeated here: their quality events carry the detail.
 */
export function nightFailures(summary: NightSummary, options: { minFiles: number } = { minFiles: 1 }): NightFailure[] {
  const out: NightFailure[] = []
  if (summary.files.length < options.minFiles) {
    out.push({
      check: 'files_received',
      severity: 'fail',
      observed: String(summary.files.length),
      threshold: `>= ${options.minFiles}`,
      message: `${summary.files.length} file(s) processed (${summary.drain.messages} queue message(s) drained): is the upstream export or the S3 notification broken?`,
    })
  }
  if (summary.drain.deadLettered > 0) {
    out.push({
      check: 'drain_dead_letters',
      severity: 'warn',
      observed: String(summary.drain.deadLettered),
      threshold: '0',
      message: `${summary.drain.deadLettered} queue message(s) could not be read and went to the dead-letter topic`,
    })
  }
  return out
}

/**
 * One alert per dataset (plus one for night-level failures), most urgent first: night-level,
 * then `fail` before `warn`, then most files. A file reported twice (a redelivery) counts once.
 */
export function groupAlerts(failures: Failure[], options: GroupOptions): Grouped {
  const latest = new Map<string, Failure>()
  for (const f of failures) latest.set(JSON.stringify([f.dataset ?? null, f.check, f.key]), f)

  const byDataset = new Map<string | undefined, Failure[]>()
  for (const f of latest.values()) {
    const list = byDataset.get(f.dataset)
    if (list) list.push(f)
    else byDataset.set(f.dataset, [f])
  }

  const built = [...byDataset.entries()].map(([dataset, list]) => buildAlert(dataset, list, options))
  built.sort(
    (a, b) =>
      Number(a.alert.dataset !== undefined) - Number(b.alert.dataset !== undefined) ||
      Number(a.alert.severity === 'warn') - Number(b.alert.severity === 'warn') ||
      b.files - a.files ||
      (a.alert.dataset ?? '').localeCompare(b.alert.dataset ?? ''),
  )

  const keep = Math.max(0, options.maxAlerts)
  const kept = built.slice(0, keep).map((b) => b.alert)
  const dropped = built.slice(keep)
  const last = kept.at(-1)
  if (dropped.length && last) last.notes = [...(last.notes ?? []), suppressedNote(dropped, keep)]
  return { alerts: kept, suppressed: dropped.length }
}

function buildAlert(dataset: string | undefined, failures: Failure[], options: GroupOptions) {
  const byCheck = new Map<string, Failure[]>()
  for (const f of failures) {
    const list = byCheck.get(f.check)
    if (list) list.push(f)
    else byCheck.set(f.check, [f])
  }
  const checks = [...byCheck.entries()]
    .map(([check, list]) => ({ check, list, fail: list.some((f) => f.severity === 'fail') }))
    .sort((a, b) => Number(b.fail) - Number(a.fail) || b.list.length - a.list.length || a.check.localeCompare(b.check))

  const items: AlertItem[] = []
  const omitted: Record<string, number> = {}
  for (const { check, list } of checks) {
    list.sort((a, b) => a.key.localeCompare(b.key))
    items.push(...list.slice(0, options.maxItemsPerCheck).map(toItem))
    if (list.length > options.maxItemsPerCheck) omitted[check] = list.length - options.maxItemsPerCheck
  }

  const severity = checks.some((c) => c.fail) ? 'fail' : 'warn'
  const files = new Set(failures.map((f) => f.key)).size
  const names = checks.map((c) => c.check).join(', ')
  const title =
    dataset === undefined
      ? `Ferry night ${options.runId}: ${names}`
      : `Ferry ${dataset}: ${files} file(s) ${severity === 'fail' ? 'failed' : 'warned on'} ${names}`
  const alert: Alert = {
    severity,
    title,
    runId: options.runId,
    ...(dataset === undefined ? {} : { dataset }),
    items,
    ...(Object.keys(omitted).length ? { omitted } : {}),
    ...(options.links?.length ? { links: options.links } : {}),
  }
  return { alert, files }
}

function toItem(f: Failure): AlertItem {
  const item: AlertItem = {
    key: f.key,
    check: f.check,
    observed: f.observed,
    threshold: f.threshold,
    message: f.message,
  }
  if (f.output !== undefined) item.output = f.output
  if (f.quarantine !== undefined) item.quarantine = f.quarantine
  return item
}

function suppressedNote(dropped: Array<{ alert: Alert; files: number }>, cap: number): string {
  const listed = dropped
    .slice(0, MAX_SUPPRESSED_LISTED)
    .map((d) => `${d.alert.dataset ?? 'night'} (${d.files} file(s), ${d.alert.severity})`)
  const more = dropped.length - listed.length
  return (
    `${dropped.length} more alert(s) suppressed by the cap of ${cap} per run: ${listed.join(', ')}` +
    (more > 0 ? ` … and ${more} more` : '')
  )
}

function formatValue(value: CheckResult['observed']): string {
  return value === null ? 'n/a' : String(value)
}
