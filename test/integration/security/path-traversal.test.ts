import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LocalNotificationQueue } from '../../../src/adapters/local/notification-queue.js'
import { LocalObjectStore } from '../../../src/adapters/local/object-store.js'
import type { QualityEvent } from '../../../src/core/messages.js'
import { outputKey } from '../../../src/core/output-path.js'
import { generateSampleNight } from '../../../src/core/sample-night.js'
import { objectCreatedBody } from '../../../src/producers/object-created.js'
import { runFerry } from '../../support/bin.js'
import { EXAMPLE_DATASETS } from '../../support/datasets.js'
import { busMessages, filesUnder, treeOf } from './support.js'

const DATE = '2026-11-22'
const EVENT_TIME = `${DATE}T23:00:00Z`
const REFUSED = 'refusing bucket/key that could resolve outside the store root'

/** An S3 ObjectCreated notification with the key exactly as given (already form-encoded, as S3 sends it). */
function notification(bucket: string, encodedKey: string, size: number, sequence: number): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: EVENT_TIME,
        eventName: 'ObjectCreated:Put',
        s3: {
          bucket: { name: bucket },
          object: { key: encodedKey, size, sequencer: sequence.toString(16).padStart(16, '0') },
        },
      },
    ],
  })
}

describe('a notification whose key or bucket climbs out of the local store, through ferry nightly', () => {
  it('is dead-lettered with the reason, reads and writes nothing outside FERRY_HOME; encoded dots are plain names', {
    timeout: 120_000,
  }, async () => {
    const parent = mkdtempSync(join(tmpdir(), 'ferry-traversal-'))
    const home = join(parent, 'home')
    mkdirSync(home)
    const good = generateSampleNight({ date: DATE, files: 4, seed: 7 }).files.find(
      (f) => !f.expect.corrupt && f.expect.invalidRows === 0,
    )!
    // A valid orders file beside FERRY_HOME: what a traversal would read and process if it could.
    const outsideFile = join(parent, 'orders-outside.parquet')
    writeFileSync(outsideFile, good.bytes)

    const store = new LocalObjectStore({ root: join(home, 'buckets') })
    const queue = new LocalNotificationQueue(join(home, 'queue'))
    const baseline = await store.put('landing', `orders/${DATE}/orders-baseline.parquet`, good.bytes)
    await queue.send(objectCreatedBody(baseline, new Date(EVENT_TIME)))
    // `%2e%2e` in a real key is a folder named `%2e%2e`, not `..`: S3 encodes its `%` as %25.
    const literalKey = 'orders/%2e%2e/%2e%2e/orders-encoded.parquet'
    await store.put('landing', literalKey, good.bytes)
    await queue.send(
      notification('landing', 'orders/%252e%252e/%252e%252e/orders-encoded.parquet', good.bytes.length, 1),
    )

    // <home>/buckets/landing/orders/../../../../ is <parent>.
    const hostile: Array<{ bucket: string; encodedKey: string; key: string }> = [
      {
        bucket: 'landing',
        encodedKey: 'orders/../../../../orders-outside.parquet',
        key: 'orders/../../../../orders-outside.parquet',
      },
      {
        bucket: 'landing',
        encodedKey: 'orders/%2e%2e/%2E%2E/%2e%2e/%2e%2e/orders-escape-encoded.parquet',
        key: 'orders/../../../../orders-escape-encoded.parquet',
      },
      {
        bucket: 'landing',
        encodedKey: 'orders%2F..%2F..%2F..%2F..%2Forders-escape-slashes.parquet',
        key: 'orders/../../../../orders-escape-slashes.parquet',
      },
      { bucket: 'landing', encodedKey: encodeURIComponent(outsideFile), key: outsideFile },
      {
        bucket: 'landing',
        encodedKey: 'orders-x%5C..%5C..%5C..%5C..%5Corders-outside.parquet',
        key: 'orders-x\\..\\..\\..\\..\\orders-outside.parquet',
      },
      { bucket: '../..', encodedKey: 'orders-outside.parquet', key: 'orders-outside.parquet' },
      {
        bucket: '..',
        encodedKey: 'buckets/landing/orders/x/../../../../../orders-outside.parquet',
        key: 'buckets/landing/orders/x/../../../../../orders-outside.parquet',
      },
    ]
    for (const [i, h] of hostile.entries()) {
      await queue.send(notification(h.bucket, h.encodedKey, good.bytes.length, 10 + i))
    }

    const before = treeOf(parent, [home])
    const run = await runFerry(['nightly'], {
      cwd: home,
      env: {
        FERRY_HOME: home,
        FERRY_DATASETS: EXAMPLE_DATASETS,
        FERRY_IDLE_MS: '300',
        FERRY_LOG_LEVEL: 'warn',
        FERRY_LOG_FORMAT: 'json',
      },
    })
    expect(run.code, run.stderr).toBe(1)
    expect(run.stdout).toMatch(new RegExp(`files=${hostile.length + 2} written=2 .*dead_lettered=${hostile.length} `))

    // Nothing outside FERRY_HOME was created, changed or removed; the file beside it was not touched.
    expect(treeOf(parent, [home])).toEqual(before)
    expect(readFileSync(outsideFile).equals(Buffer.from(good.bytes))).toBe(true)

    // Every hostile notification is dead-lettered, and its quality event says why.
    const events = busMessages(join(home, 'events', 'ferry-quality.jsonl')).filter(
      (e): e is QualityEvent => e.scope === 'file',
    )
    const byObject = new Map(events.map((e) => [`${e.source.bucket}/${e.source.key}`, e]))
    for (const h of hostile) {
      const event = byObject.get(`${h.bucket}/${h.key}`)
      expect(event, `${h.bucket}/${h.key}`).toBeDefined()
      expect(event?.status).toBe('fail')
      const processing = event?.checks.find((c) => c.name === 'processing')
      expect(processing?.observed).toBe('dead-lettered')
      expect(processing?.message).toContain(REFUSED)
      expect(event?.output ?? null).toBeNull()
    }
    // The dead letters themselves (ferry.dlq in the embedded broker's data) carry the same reason.
    const brokerData = filesUnder(join(home, 'broker'))
      .map((f) => readFileSync(f).toString('latin1'))
      .join('\n')
    expect(brokerData.split(REFUSED).length - 1).toBeGreaterThanOrEqual(hostile.length)

    // The literal `%2e%2e` key and the baseline are processed; outputs are named by a hash of the source.
    for (const key of [literalKey, `orders/${DATE}/orders-baseline.parquet`]) {
      const event = byObject.get(`landing/${key}`)
      expect(event?.status, key).toBe('pass')
      const expected = join(home, 'buckets', 'lake', outputKey('', 'orders', DATE, { bucket: 'landing', key }))
      expect(event?.output).toBe(expected)
      expect(basename(expected)).toMatch(/^orders-(encoded|baseline)-[0-9a-f]{12}\.parquet$/)
      expect(readFileSync(expected).subarray(0, 4).toString()).toBe('PAR1')
    }
    // No output, quarantine or history file anywhere is named after a hostile key.
    expect(filesUnder(home).filter((f) => /outside|escape/.test(basename(f)))).toEqual([])
  })
})
