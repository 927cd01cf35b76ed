import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { LocalNotificationQueue } from '../../../src/adapters/local/notification-queue.js'
import { LocalObjectStore } from '../../../src/adapters/local/object-store.js'
import { Exit } from '../../../src/cli/command.js'
import { main } from '../../../src/cli/main.js'
import { generateSampleNight } from '../../../src/core/sample-night.js'
import { objectCreatedBody } from '../../../src/producers/object-created.js'
import { EXAMPLE_DATASETS } from '../../support/datasets.js'
import { type HttpRecorder, startHttpRecorder } from '../../support/http-recorder.js'

describe('ferry nightly on the local default: pings, grouped alerts and the metrics dump', () => {
  let recorder: HttpRecorder
  beforeAll(async () => {
    recorder = await startHttpRecorder()
  })
  afterAll(() => recorder.close())

  it('pings /start then /fail on a failing night, sends a handful of Slack messages, writes metrics', async () => {
    const home = mkdtempSync(join(tmpdir(), 'ferry-nightly-'))
    const night = generateSampleNight({ date: '2026-11-22', files: 6, seed: 3 }).files
    const store = new LocalObjectStore({ root: join(home, 'buckets') })
    const queue = new LocalNotificationQueue(join(home, 'queue'))
    for (const file of night) {
      const info = await store.put('landing', file.key, file.bytes)
      await queue.send(objectCreatedBody(info, new Date('2026-11-22T23:00:00Z')))
    }
    const metricsFile = join(home, 'ferry.prom')
    const out: string[] = []
    const code = await main(['nightly', '--metrics-file', metricsFile], {
      out: (l) => out.push(l),
      err: () => {},
      cwd: home,
      signal: new AbortController().signal,
      env: {
        FERRY_HOME: home,
        FERRY_DATASETS: EXAMPLE_DATASETS,
        FERRY_IDLE_MS: '300',
        FERRY_LOG_LEVEL: 'silent',
        FERRY_PING_URL: `${recorder.url}/ping/5f0c2d-secret`,
        FERRY_SLACK_WEBHOOK_URL: `${recorder.url}/services/T000/B000/SECRETxyz`,
      },
    })
    expect(code).toBe(Exit.DATA)
    const last = out.at(-1) ?? ''
    expect(last).toMatch(/^files=6 written=5 quarantined_rows=\d+ dead_lettered=1 quality_pass=4 quality_fail=2$/)

    const pings = recorder.requests.filter((r) => r.path.startsWith('/ping/'))
    expect(pings.map((r) => r.path)).toEqual(['/ping/5f0c2d-secret/start', '/ping/5f0c2d-secret/fail'])
    expect(pings[0]?.query.rid).toBe(pings[1]?.query.rid)
    expect(pings[1]?.body).toContain(last)

    const slack = recorder.requests.filter((r) => r.path === '/services/T000/B000/SECRETxyz')
    expect(slack.length).toBeGreaterThanOrEqual(1)
    expect(slack.length).toBeLessThanOrEqual(5)
    const text = slack.map((r) => r.body).join('\n')
    expect(text).toContain('row_ratio')
    expect(text).toContain('processing')

    const metrics = readFileSync(metricsFile, 'utf8')
    expect(metrics).toContain('ferry_files_total{dataset="orders",status="written"} 5')
    expect(metrics).toContain('ferry_files_total{dataset="orders",status="dead-lettered"} 1')
    expect(metrics).toContain('ferry_quality_total{dataset="orders",scope="file",status="fail"} 2')
    // one verdict per dataset-night: the night's own checks (count, completeness) hold
    expect(metrics).toContain('ferry_quality_total{dataset="orders",scope="night",status="pass"} 1')
    expect(metrics).toContain('ferry_dead_letters_total{stage="work",code="FERRY_FORMAT"} 1')
    expect(metrics).toMatch(/ferry_last_night_timestamp_seconds \d+/)
    expect(metrics).toContain('ferry_last_successful_night_timestamp_seconds 0')
    const rowsIn = night.reduce((n, f) => n + f.expect.rows, 0)
    expect(metrics).toContain(`ferry_rows_total{dataset="orders",kind="in"} ${rowsIn}`)
  })
})
