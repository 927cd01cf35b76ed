import type { NightSummary } from './night.js'

export interface NightTotals {
  files: number
  written: number
  quarantinedFiles: number
  deadLettered: number
  rowsIn: number
  rowsOut: number
  rowsRejected: number
  qualityPass: number
  qualityFail: number
}

export function totals(summary: NightSummary): NightTotals {
  const t: NightTotals = {
    files: summary.files.length,
    written: 0,
    quarantinedFiles: 0,
    deadLettered: 0,
    rowsIn: 0,
    rowsOut: 0,
    rowsRejected: 0,
    qualityPass: 0,
    qualityFail: 0,
  }
  for (const f of summary.files) {
    if (f.status === 'written') t.written++
    else if (f.status === 'quarantined') t.quarantinedFiles++
    else t.deadLettered++
    t.rowsIn += f.rowsIn
    t.rowsOut += f.rowsOut
    t.rowsRejected += f.rowsRejected
    if (f.quality === 'pass') t.qualityPass++
    else t.qualityFail++
  }
  return t
}

/** The machine-readable last line of `nightly` and `demo`. */
export function summaryLine(t: NightTotals): string {
  return `files=${t.files} written=${t.written} quarantined_rows=${t.rowsRejected} dead_lettered=${t.deadLettered} quality_pass=${t.qualityPass} quality_fail=${t.qualityFail}`
}

/** A plain-text table for people: one line per dataset, then every failed file with its reason. */
export function formatSummary(summary: NightSummary): string {
  const t = totals(summary)
  const byDataset = new Map<string, NightTotals>()
  for (const f of summary.files) {
    const one = totals({ ...summary, files: [f] })
    const acc = byDataset.get(f.dataset)
    byDataset.set(f.dataset, acc ? add(acc, one) : one)
  }
  const header = ['dataset', 'files', 'written', 'dead', 'rows_in', 'rows_out', 'rejected', 'pass', 'fail']
  const rows = [...byDataset.entries()].map(([name, d]) => [
    name,
    d.files,
    d.written + d.quarantinedFiles,
    d.deadLettered,
    d.rowsIn,
    d.rowsOut,
    d.rowsRejected,
    d.qualityPass,
    d.qualityFail,
  ])
  rows.push([
    'TOTAL',
    t.files,
    t.written + t.quarantinedFiles,
    t.deadLettered,
    t.rowsIn,
    t.rowsOut,
    t.rowsRejected,
    t.qualityPass,
    t.qualityFail,
  ])
  const table = [header, ...rows.map((r) => r.map(String))]
  const widths = header.map((_, i) => Math.max(...table.map((r) => r[i]?.length ?? 0)))
  const lines = [
    `run ${summary.runId}: ${t.files} file(s) in ${(summary.durationMs / 1000).toFixed(1)} s ` +
      `(drained ${summary.drain.messages} message(s): ${summary.drain.objects} object(s), ` +
      `${summary.drain.duplicates} duplicate(s), ${summary.drain.skipped} skipped, ${summary.drain.deadLettered} dead-lettered)`,
    '',
    ...table.map((r) =>
      r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '),
    ),
  ]
  const failures = summary.files.filter((f) => f.quality === 'fail')
  if (failures.length) {
    lines.push('', 'failed quality:')
    for (const f of failures) lines.push(`  ${f.uri} [${f.status}] ${f.reason ?? ''}`)
  }
  const nightIssues = (summary.nights ?? []).flatMap((n) =>
    n.checks
      .filter((c) => c.status !== 'pass')
      .map((c) => `  ${n.dataset} ${n.date} ${c.name} [${c.status}] ${c.message}`),
  )
  if (nightIssues.length) lines.push('', 'night checks:', ...nightIssues)
  if (summary.earlierRuns) lines.push('', `${summary.earlierRuns} of these file(s) were queued by earlier runs`)
  const already = summary.files.filter((f) => f.alreadyProcessed).length
  if (already) {
    lines.push('', `${already} already processed: versions written before, not processed again (outputs untouched)`)
  }
  return lines.join('\n')
}

function add(a: NightTotals, b: NightTotals): NightTotals {
  const out = { ...a }
  for (const k of Object.keys(b) as (keyof NightTotals)[]) out[k] += b[k]
  return out
}
