/**
 * Decodes that never end, stopped: a dataset whose code loops forever on one row stands for any
 * stuck decoder. The stall limit ends such a file as FERRY_TIMEOUT long before the whole-file limit,
 * and SIGINT/SIGTERM end any command within 5 s, mid-decode included, leaving the file in hand
 * uncommitted for the next run.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LocalNotificationQueue } from '../../../src/adapters/local/notification-queue.js'
import { LocalObjectStore } from '../../../src/adapters/local/object-store.js'
import { objectCreatedBody } from '../../../src/producers/object-created.js'
import { type BinRun, collect, runFerry, spawnFerry } from '../../support/bin.js'

function project(config: string): string {
  const root = mkdtempSync(join(tmpdir(), 'ferry-interrupt-'))
  const files: Record<string, string> = {
    'ferry.config.yaml': `${config}log: { level: warn }\n`,
    'datasets/spin/dataset.yaml': 'keys: ["spin/**"]\ntransform: transform.js\ncolumns: [{ name: id, type: string }]\n',
    'datasets/spin/schema.json': JSON.stringify({ type: 'object', properties: { id: { type: 'string' } } }),
    'datasets/spin/transform.js': 'export function transform(row) {\n  while (row.id === "spin") {}\n  return row\n}\n',
    'spin.ndjson': '{"id":"ok"}\n{"id":"spin"}\n',
  }
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), content)
  }
  return root
}

async function queueSpin(root: string): Promise<void> {
  const store = new LocalObjectStore({ root: join(root, '.ferry', 'buckets') })
  const info = await store.put('landing', 'spin/2026-11-23/spin.ndjson', Buffer.from('{"id":"spin"}\n'))
  await new LocalNotificationQueue(join(root, '.ferry', 'queue')).send(objectCreatedBody(info, new Date()))
}

/** Runs a command, sends `signal` after `afterMs`, and times the end. */
async function interrupt(
  args: string[],
  cwd: string,
  signal: NodeJS.Signals,
  afterMs: number,
): Promise<BinRun & { afterSignalMs: number }> {
  const child = spawnFerry(args, { cwd, env: { FERRY_LOG_FORMAT: 'json' } })
  const ended = collect(child)
  await new Promise((r) => setTimeout(r, afterMs))
  const sent = Date.now()
  child.kill(signal)
  const run = await ended
  return { ...run, afterSignalMs: Date.now() - sent }
}

describe('decodes that never end', () => {
  it('end as FERRY_TIMEOUT once they make no progress for stallMs, long before the file limit', async () => {
    const root = project('work:\n  idleMs: 300\n  limits: { stallMs: 1500, fileTimeoutMs: 600000 }\n')
    await queueSpin(root)
    const started = Date.now()
    const night = await runFerry(['nightly'], { cwd: root })
    expect(night.stdout.trim().split('\n').at(-1)).toMatch(/^files=1 written=0 quarantined_rows=0 dead_lettered=1 /)
    expect(Date.now() - started).toBeLessThan(45_000)
    const status = await runFerry(['status', '--json'], { cwd: root })
    const entry = JSON.parse(status.stdout.trim().split('\n')[0]!) as { lastError: { code: string; message: string } }
    expect(entry.lastError.code).toBe('FERRY_TIMEOUT')
    expect(entry.lastError.message).toMatch(
      /^processing stopped: no progress for 1500 ms: .*\(limit work\.limits\.stallMs, env FERRY_STALL_MS\)$/,
    )
  })

  it('SIGTERM ends ferry process within 5 s, mid-decode', async () => {
    const root = project('')
    const run = await interrupt(['process', 'spin.ndjson', '--out', 'out', '--dataset', 'spin'], root, 'SIGTERM', 2500)
    expect(run.afterSignalMs).toBeLessThan(5000)
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('ferry process: error [FERRY_INTERRUPTED]: interrupted by SIGTERM')
  })

  it('SIGINT ends ferry nightly within 5 s, mid-decode, and the file stays queued for the next run', async () => {
    const root = project('work:\n  idleMs: 300\n')
    await queueSpin(root)
    const run = await interrupt(['nightly'], root, 'SIGINT', 6000)
    expect(run.afterSignalMs).toBeLessThan(5000)
    expect(run.stderr).toContain('interrupted; the record will be consumed again')
    expect(run.stderr).not.toContain('"level":"error"')
    const status = await runFerry(['status', '--json'], { cwd: root })
    const entry = JSON.parse(status.stdout.trim().split('\n')[0]!) as { state: string }
    expect(entry.state).toBe('processing')
  })
})
