import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LocalNotificationQueue } from '../../../src/adapters/local/notification-queue.js'
import { LocalObjectStore } from '../../../src/adapters/local/object-store.js'
import { Exit } from '../../../src/cli/command.js'
import { main } from '../../../src/cli/main.js'
import { generateSampleNight } from '../../../src/core/sample-night.js'
import { objectCreatedBody } from '../../../src/producers/object-created.js'
import { EXAMPLE_DATASETS } from '../../support/datasets.js'

async function run(home: string, argv: string[]) {
  const out: string[] = []
  const code = await main(argv, {
    out: (l) => out.push(l),
    err: () => {},
    cwd: home,
    signal: new AbortController().signal,
    env: { FERRY_HOME: home, FERRY_DATASETS: EXAMPLE_DATASETS, FERRY_IDLE_MS: '300', FERRY_LOG_LEVEL: 'silent' },
  })
  return { code, out }
}

describe('ferry check (the dead-man check) on the local default', () => {
  it('passes a complete night and fails, saying why, once an output goes missing', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ferry-check-'))
    const files = generateSampleNight({ date: '2026-11-21', files: 5, seed: 11 }).files.filter((f) => !f.expect.corrupt)
    const store = new LocalObjectStore({ root: join(home, 'buckets') })
    const queue = new LocalNotificationQueue(join(home, 'queue'))
    for (const file of files) {
      const info = await store.put('landing', file.key, file.bytes)
      await queue.send(objectCreatedBody(info, new Date('2026-11-21T22:00:00Z')))
    }
    await run(home, ['nightly'])

    const ok = await run(home, ['check', '--deadline', '01:00', '--date', '2026-11-21'])
    expect(ok.out[0]).toBe(
      `orders 2026-11-21: complete expected=- arrived=${files.length} written=${files.length} outputs=${files.length}`,
    )
    expect(ok.code).toBe(Exit.OK)

    const outputs: string[] = []
    for await (const info of store.list('lake', 'orders/date=2026-11-21/')) outputs.push(info.key)
    await store.delete('lake', outputs[0] as string)
    const missing = await run(home, ['check', '--deadline', '01:00', '--date', '2026-11-21'])
    expect(missing.code).toBe(Exit.DATA)
    expect(missing.out.join('\n')).toContain('INCOMPLETE')
    expect(missing.out.join('\n')).toContain('1 output(s) missing')
    expect(missing.out.at(-1)).toBe('the night of 2026-11-21 is incomplete at its deadline 2026-11-22T01:00:00.000Z')
  })

  it('ferry report summarises the night from the history and writes a self-contained HTML page', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ferry-report-'))
    const night = generateSampleNight({ date: '2026-11-20', files: 4, seed: 5 }).files
    const store = new LocalObjectStore({ root: join(home, 'buckets') })
    const queue = new LocalNotificationQueue(join(home, 'queue'))
    for (const file of night) {
      const info = await store.put('landing', file.key, file.bytes)
      await queue.send(objectCreatedBody(info, new Date('2026-11-20T21:00:00Z')))
    }
    await run(home, ['nightly'])
    const report = await run(home, ['report', '--date', '2026-11-20', '--days', '7', '--html', 'report.html'])
    expect(report.code).toBe(Exit.OK)
    const text = report.out.join('\n')
    expect(text).toContain('2026-11-20')
    expect(text).toContain('orders')
    const rowsIn = night.reduce((n, f) => n + f.expect.rows, 0)
    expect(text.replaceAll(',', '')).toContain(String(rowsIn))
    const html = readFileSync(join(home, 'report.html'), 'utf8')
    expect(html).toContain('data-chart="rows"')
    expect(html.match(/data-point/g)?.length).toBeGreaterThan(0)
  })

  it('requires --deadline', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ferry-check-'))
    expect((await run(home, ['check'])).code).toBe(Exit.ERROR)
  })
})
