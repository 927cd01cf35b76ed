import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, inject, it } from 'vitest'
import { LocalNotificationQueue } from '../../../src/adapters/local/notification-queue.js'
import { LocalObjectStore } from '../../../src/adapters/local/object-store.js'
import { Exit } from '../../../src/cli/command.js'
import { main } from '../../../src/cli/main.js'
import { generateSampleNight } from '../../../src/core/sample-night.js'
import { objectCreatedBody } from '../../../src/producers/object-created.js'
import { EXAMPLE_DATASETS } from '../../support/datasets.js'

const { kafka } = inject('endpoints')

describe('ferry serve', () => {
  it('consumes continuously, serves /metrics, /healthz and /readyz, and stops cleanly on SIGTERM', async () => {
    const id = randomBytes(4).toString('hex')
    const home = mkdtempSync(join(tmpdir(), 'ferry-serve-'))
    writeFileSync(
      join(home, 'ferry.config.json'),
      JSON.stringify({
        kafka: {
          topics: { objects: `objects.${id}`, results: `results.${id}`, dlq: `dlq.${id}`, ledger: `ledger.${id}` },
          groups: { work: `work-${id}`, quality: `quality-${id}` },
        },
      }),
    )
    const env = {
      FERRY_HOME: home,
      FERRY_DATASETS: EXAMPLE_DATASETS,
      FERRY_KAFKA_BROKERS: kafka,
      FERRY_LOG_LEVEL: 'silent',
    }
    const stop = new AbortController()
    const out: string[] = []
    const serving = main(['serve', '--metrics-port', '0', '--schedule', '0 3 1 1 *'], {
      out: (l) => out.push(l),
      err: () => {},
      cwd: home,
      env,
      signal: stop.signal,
    })
    await waitFor(() => out.some((l) => l.includes('/metrics')))
    const base = /http:\/\/127\.0\.0\.1:\d+/.exec(out.join('\n'))?.[0] as string
    expect((await fetch(`${base}/healthz`)).status).toBe(200)
    await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200)

    // Files arrive and a drain (here: a one-off `ferry drain` beside the server) queues them.
    const files = generateSampleNight({ date: '2026-11-19', files: 4, seed: 2 }).files
    const store = new LocalObjectStore({ root: join(home, 'buckets') })
    const queue = new LocalNotificationQueue(join(home, 'queue'))
    for (const file of files) {
      const info = await store.put('landing', file.key, file.bytes)
      await queue.send(objectCreatedBody(info, new Date('2026-11-19T20:00:00Z')))
    }
    const drained = await main(['drain', '--wait-seconds', '0', '--empty-receives', '1'], {
      out: () => {},
      err: () => {},
      cwd: home,
      env,
      signal: new AbortController().signal,
    })
    expect(drained).toBe(Exit.OK)
    const events = join(home, 'events', 'ferry-quality.jsonl')
    await waitFor(() => existsSync(events) && readFileSync(events, 'utf8').trim().split('\n').length >= files.length)

    const metrics = await (await fetch(`${base}/metrics`)).text()
    expect(metrics).toContain(`ferry_files_total{dataset="orders",status="written"} ${files.length - 1}`)
    expect(metrics).toContain('ferry_quality_total{dataset="orders",scope="file",status="fail"}')

    stop.abort()
    expect(await serving).toBe(Exit.OK)
    await expect(fetch(`${base}/healthz`)).rejects.toThrow()
  })
})

async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition')
    await new Promise((r) => setTimeout(r, 100))
  }
}
