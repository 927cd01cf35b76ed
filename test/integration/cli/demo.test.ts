import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { generateSampleNight } from '../../../src/core/sample-night.js'
import { runFerry } from '../../support/bin.js'
import { EXAMPLE_DATASETS } from '../../support/datasets.js'

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

    // the on-call examples, on the demo's state
    const dead = await runFerry(['status', '--state', 'dead-lettered', '--json'], { cwd })
    expect(dead.code).toBe(0)
    const deadEntries = dead.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { uri: string; outcome: string; state: string })
    expect(deadEntries).toHaveLength(corrupt)
    expect(deadEntries[0]).toMatchObject({ state: 'qualified', outcome: 'dead-lettered' })
    const firstEntry = (await runFerry(['status', '--json'], { cwd })).stdout.split('\n')[0]!
    const uri = (JSON.parse(firstEntry) as { uri: string }).uri
    expect(uri.startsWith(join(cwd, '.ferry', 'buckets', 'landing'))).toBe(true)
    expect((await runFerry(['inspect', uri], { cwd })).code).toBe(0)
    const key = uri.slice(join(cwd, '.ferry', 'buckets', 'landing').length + 1)
    const cloud = await runFerry(['inspect', `s3://landing/${key}`], { cwd })
    expect(cloud.code).toBe(2)
    expect(cloud.stderr).toContain(
      `ferry inspect: s3:// names the cloud, but Ferry runs on the local default here: this object is ${uri}`,
    )
    expect(cloud.stderr).not.toMatch(/^\s+at /m)
    // process writes where the worker wrote: same event date, same hash of bucket/key
    const entry = JSON.parse(firstEntry) as { result: { output: string } }
    const repro = await runFerry(
      ['process', uri, '--out', join(cwd, 'repro'), '--json', '--datasets', EXAMPLE_DATASETS],
      {
        cwd,
      },
    )
    const report = JSON.parse(repro.stdout) as { output: string }
    expect(report.output.slice(join(cwd, 'repro').length)).toBe(entry.result.output.slice(lake.length))
    const replayed = await runFerry(['replay', '--object', uri], { cwd })
    expect(replayed.stdout).toMatch(/^replay run_id=replay-\S+ object=\S+ eTag=\S+ queued=1$/m)

    const second = await runFerry(['demo', '--date', DATE], { cwd })
    expect(second.code).toBe(0)
    expect(second.stdout.trim().split('\n').at(-1)).toBe(expected)
    // the re-run's notifications name versions already written: said, not processed again
    expect(second.stdout).toContain(
      `${files.length - corrupt} already processed: versions written before, not processed again`,
    )
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
