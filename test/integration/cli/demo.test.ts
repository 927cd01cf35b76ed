import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { generateSampleNight } from '../../../src/core/sample-night.js'
import { runFerry } from '../../support/bin.js'

const DATE = '2026-11-20'

describe('ferry demo (the README command) on the local default', () => {
  it('runs a sample night end to end, matches what it generated, and is safe to re-run', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'ferry-demo-'))
    const first = await runFerry(['demo', '--date', DATE], { cwd })
    expect(first.stderr).toBe('')
    expect(first.code).toBe(0)
    const files = generateSampleNight({ date: DATE }).files
    const corrupt = files.filter((f) => f.expect.corrupt).length
    const invalid = files.reduce((n, f) => n + f.expect.invalidRows, 0)
    const expected = `files=${files.length} written=${files.length - corrupt} quarantined_rows=${invalid} dead_lettered=${corrupt} quality_pass=${files.length - 2} quality_fail=2`
    const lines = first.stdout.trim().split('\n')
    expect(lines.at(-1)).toBe(expected)
    expect(first.stdout).toContain('demo: the outcome matches the generated files')
    expect(files.length).toBeGreaterThanOrEqual(20)
    expect(corrupt).toBe(1)

    const lake = join(cwd, '.ferry', 'buckets', 'lake')
    const before = tree(lake)
    expect(Object.keys(before).filter((k) => k.endsWith('.parquet'))).toHaveLength(files.length - corrupt)
    expect(Object.keys(before).filter((k) => k.endsWith('.ndjson'))).toHaveLength(2)
    const events = readFileSync(join(cwd, '.ferry', 'events', 'ferry-quality.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { attributes: Record<string, string> }).attributes.scope)
    // one verdict per file, then one for the orders dataset-night
    expect(events).toEqual([...files.map(() => 'file'), 'night'])

    const second = await runFerry(['demo', '--date', DATE], { cwd })
    expect(second.code).toBe(0)
    expect(second.stdout.trim().split('\n').at(-1)).toBe(expected)
    expect(tree(lake)).toEqual(before)
  })
})

/** Every file under a folder with the MD5 of its content. */
function tree(root: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {}
  for (const name of readdirSync(join(root, prefix))) {
    const rel = prefix ? `${prefix}/${name}` : name
    // The metrics history records each run (run id, durations): data outputs are what must not change.
    if (rel === '_ferry') continue
    if (statSync(join(root, rel)).isDirectory()) Object.assign(out, tree(root, rel))
    else
      out[rel] = createHash('md5')
        .update(readFileSync(join(root, rel)))
        .digest('hex')
  }
  return out
}
