import type { LedgerEntry, LedgerState } from '../core/messages.js'

export const LEDGER_STATES: readonly LedgerState[] = [
  'received',
  'queued',
  'processing',
  'written',
  'quarantined',
  'dead-lettered',
  'qualified',
]

export interface StatusFilter {
  /** the event date, YYYY-MM-DD (the date path the outputs go to) */
  date?: string
  dataset?: string
  state?: LedgerState
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
        (filter.state === undefined || e.state === filter.state) &&
        (filter.dataset === undefined || (e.dataset ?? datasetOf(e.key)) === filter.dataset),
    )
    .sort((a, b) => compare(`${a.bucket}/${a.key}`, `${b.bucket}/${b.key}`) || compare(a.updatedAt, b.updatedAt))
}

/** The table (key, eTag, state, attempts, last error, updated) and a machine-readable count line. */
export function formatStatus(entries: readonly LedgerEntry[]): string[] {
  const header = ['key', 'eTag', 'state', 'attempts', 'last error', 'updated']
  const rows = entries.map((e) => [
    `${e.bucket}/${e.key}`,
    e.eTag ?? (e.versionId === undefined ? '-' : `v:${e.versionId}`),
    describeState(e),
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
  const counts = LEDGER_STATES.map((s) => `${s}=${entries.filter((e) => e.state === s).length}`)
  return [line(header), ...rows.map(line), '', `ledger entries=${entries.length} ${counts.join(' ')}`]
}

function describeState(e: LedgerEntry): string {
  const notes = [
    ...(e.quality && e.state === 'qualified' ? [e.quality] : []),
    ...(e.skipped > 0 ? [`${e.skipped} duplicate(s) skipped`] : []),
    ...(e.replay ? ['replay'] : []),
  ]
  return notes.length ? `${e.state} (${notes.join(', ')})` : e.state
}

function truncate(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ')
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}
