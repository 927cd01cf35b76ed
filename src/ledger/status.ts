import type { FileStatus, LedgerEntry, LedgerState } from '../core/messages.js'

export const LEDGER_STATES: readonly LedgerState[] = [
  'received',
  'queued',
  'processing',
  'written',
  'quarantined',
  'dead-lettered',
  'qualified',
]

/** The processing outcomes, which a qualified entry keeps beside its verdict. */
const OUTCOMES: ReadonlySet<string> = new Set(['written', 'quarantined', 'dead-lettered'])

export interface StatusFilter {
  /** the event date, YYYY-MM-DD (the date path the outputs go to) */
  date?: string
  dataset?: string
  /** the lifecycle state, or an outcome (written, quarantined, dead-lettered), which qualified entries keep */
  state?: LedgerState
  /** the quality verdict */
  quality?: 'pass' | 'fail'
}

/** What processing made of the version (its latest result), whatever happened after: null before. */
export function outcomeOf(e: LedgerEntry): FileStatus | null {
  if (e.result) return e.result.status
  return OUTCOMES.has(e.state) ? (e.state as FileStatus) : null
}

function inState(e: LedgerEntry, state: LedgerState): boolean {
  return e.state === state || (OUTCOMES.has(state) && outcomeOf(e) === state)
}

/**
 * The entries `ferry status` shows, by object then version age. Entries written before a worker
 * matched the key to a dataset are matched here with `datasetOf`, so --dataset finds queued files too.
 */
export function selectEntries(
  entries: Iterable<LedgerEntry>,
  filter: StatusFilter,
  datasetOf: (key: string) => string | null,
): LedgerEntry[] {
  return [...entries]
    .filter(
      (e) =>
        (filter.date === undefined || e.eventDate === filter.date) &&
        (filter.state === undefined || inState(e, filter.state)) &&
        (filter.quality === undefined || (e.state === 'qualified' && e.quality === filter.quality)) &&
        (filter.dataset === undefined || (e.dataset ?? datasetOf(e.key)) === filter.dataset),
    )
    .sort((a, b) => compare(`${a.bucket}/${a.key}`, `${b.bucket}/${b.key}`) || compare(a.updatedAt, b.updatedAt))
}

/**
 * The table (object URI, eTag, state, outcome, quality, attempts, last error, updated) and a machine-readable
 * count line: entries per lifecycle state, where written, quarantined and dead-lettered count the
 * outcome (kept once qualified), then the verdicts.
 */
export function formatStatus(
  entries: readonly LedgerEntry[],
  uri: (e: LedgerEntry) => string = (e) => `${e.bucket}/${e.key}`,
): string[] {
  const header = ['object', 'eTag', 'state', 'outcome', 'quality', 'attempts', 'last error', 'updated']
  const rows = entries.map((e) => [
    uri(e),
    e.eTag ?? (e.versionId === undefined ? '-' : `v:${e.versionId}`),
    describeState(e),
    outcomeOf(e) ?? '-',
    e.state === 'qualified' ? (e.quality ?? '-') : '-',
    String(e.attempts),
    e.lastError ? truncate(`${e.lastError.code}: ${e.lastError.message}`, 60) : '-',
    e.updatedAt,
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  const counts = LEDGER_STATES.map((s) => `${s}=${entries.filter((e) => inState(e, s)).length}`)
  const verdicts = (['pass', 'fail'] as const).map(
    (q) => `quality_${q}=${entries.filter((e) => e.state === 'qualified' && e.quality === q).length}`,
  )
  return [line(header), ...rows.map(line), '', `ledger entries=${entries.length} ${[...counts, ...verdicts].join(' ')}`]
}

function describeState(e: LedgerEntry): string {
  const notes = [...(e.skipped > 0 ? [`${e.skipped} duplicate(s) skipped`] : []), ...(e.replay ? ['replay'] : [])]
  return notes.length ? `${e.state} (${notes.join(', ')})` : e.state
}

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ')
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
