import type { LedgerEntry } from '../core/messages.js'

/** What the dead-man check knows about one dataset's night. */
export interface DatasetEvidence {
  dataset: string
  /** files expected per night, from the dataset's `checks.files` (undefined: not configured) */
  expected?: { count: number; tolerance: number }
  /** the latest ledger entry of every object of this dataset and night */
  ledger: LedgerEntry[]
  /** output object keys present in the output bucket for this dataset and night */
  outputs: Set<string>
}

export interface DeadlineVerdict {
  dataset: string
  ok: boolean
  expected: number | null
  arrived: number
  written: number
  outputs: number
  problems: string[]
}

const FINAL = new Set(['written', 'quarantined', 'dead-lettered', 'qualified'])

/**
 * Whether a dataset's night is complete: every expected file arrived, every arrived file reached a
 * final state with its output present, nothing was dead-lettered. Pure: the command gathers the
 * evidence (ledger, output listing) and this decides.
 */
export function checkDataset(
  evidence: DatasetEvidence,
  outputKeyOf: (entry: LedgerEntry) => string | null,
): DeadlineVerdict {
  const problems: string[] = []
  const arrived = evidence.ledger.length
  // A dead-lettered file may have been qualified since (its quality event says fail): still dead.
  const isDead = (e: LedgerEntry) => e.state === 'dead-lettered' || e.result?.status === 'dead-lettered'
  const dead = evidence.ledger.filter(isDead)
  const unfinished = evidence.ledger.filter((e) => !FINAL.has(e.state))
  const done = evidence.ledger.filter((e) => FINAL.has(e.state) && !isDead(e))
  const missing = done.filter((e) => {
    const key = outputKeyOf(e)
    return key !== null && !evidence.outputs.has(key)
  })
  const written = done.length - missing.length
  if (evidence.expected) {
    const { count, tolerance } = evidence.expected
    if (evidence.outputs.size < count - tolerance) {
      problems.push(`expected ${count} file(s) (tolerance ${tolerance}), ${evidence.outputs.size} output(s) written`)
    }
  } else if (arrived === 0 && evidence.outputs.size === 0) {
    problems.push('no file arrived and no output was written')
  }
  if (unfinished.length) {
    problems.push(
      `${unfinished.length} file(s) not finished: ${sample(unfinished.map((e) => `${e.key} (${e.state})`))}`,
    )
  }
  if (dead.length) {
    problems.push(
      `${dead.length} file(s) dead-lettered: ${sample(dead.map((e) => `${e.key} (${e.lastError?.code ?? 'error'})`))}`,
    )
  }
  if (missing.length) problems.push(`${missing.length} output(s) missing: ${sample(missing.map((e) => e.key))}`)
  return {
    dataset: evidence.dataset,
    ok: problems.length === 0,
    expected: evidence.expected?.count ?? null,
    arrived,
    written,
    outputs: evidence.outputs.size,
    problems,
  }
}

/** The instant of `HH:MM` on the morning after `date`, in `timeZone`: when the night must be done. */
export function deadlineInstant(date: string, hhmm: string, timeZone: string): Date {
  const match = /^(\d{1,2}):(\d{2})$/.exec(hhmm)
  if (!match || Number(match[1]) > 23 || Number(match[2]) > 59)
    throw new RangeError(`deadline must be HH:MM, got ${hhmm}`)
  const next = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000)
  const wall = Date.UTC(
    next.getUTCFullYear(),
    next.getUTCMonth(),
    next.getUTCDate(),
    Number(match[1]),
    Number(match[2]),
  )
  // Shift by the zone's offset at that wall time (twice, to settle across a DST change).
  let instant = wall
  for (let i = 0; i < 2; i++) instant = wall - offsetMs(new Date(instant), timeZone)
  return new Date(instant)
}

function offsetMs(at: Date, timeZone: string): number {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
      .formatToParts(at)
      .map((p) => [p.type, Number(p.value)]),
  )
  const local = Date.UTC(
    parts.year ?? 0,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  )
  return local - Math.floor(at.getTime() / 1000) * 1000
}

function sample(items: string[]): string {
  return items.length > 5 ? `${items.slice(0, 5).join(', ')} and ${items.length - 5} more` : items.join(', ')
}
