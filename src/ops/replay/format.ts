import type { ReplayMode, ReplayRequest } from './offsets.js'
import type { ReplayPlan } from './plan.js'

/**
 * The plan as people read it (a table per partition) followed by one machine-readable line:
 *   replay group=G topic=T partitions=N reprocess=R skip=S executed=true|false
 */
export function formatPlan(request: ReplayRequest, plan: ReplayPlan, executed: boolean): string[] {
  const header = ['partition', 'committed', 'new offset', 'log end', 'reprocess', 'skip']
  const rows = plan.partitions.map((p) => [
    String(p.partition),
    p.committed === null ? '-' : String(p.committed),
    String(p.target),
    String(p.high),
    String(p.reprocess),
    String(p.skip),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ')
  const lines = [
    `group ${request.groupId}, topic ${request.topic}: ${describeMode(request.mode)}${
      request.partition === undefined ? '' : `, partition ${request.partition} only`
    }${executed ? '' : ' (dry run)'}`,
    '',
    line(header),
    ...rows.map(line),
    '',
    `${plan.reprocess} message(s) will be processed again`,
  ]
  if (plan.skip > 0n) lines.push(`warning: ${plan.skip} message(s) not processed yet will be skipped for good`)
  lines.push(executed ? 'offsets reset: start the consumers to reprocess' : 'dry run: nothing changed; add --execute')
  lines.push(
    `replay group=${request.groupId} topic=${request.topic} partitions=${plan.partitions.length} ` +
      `reprocess=${plan.reprocess} skip=${plan.skip} executed=${executed}`,
  )
  return lines
}

function describeMode(mode: ReplayMode): string {
  switch (mode.kind) {
    case 'offset':
      return `to offset ${mode.offset}`
    case 'shift':
      return `shift by ${mode.by}`
    case 'earliest':
      return 'to the earliest offset'
    case 'time':
      return `to the first message at or after ${mode.at.toISOString()}`
  }
}
