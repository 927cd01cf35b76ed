import { createHash } from 'node:crypto'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { Kafka, logLevel } from 'kafkajs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { GcsObjectStore } from '../../../src/adapters/gcs/object-store.js'
import { PubSubEventBus } from '../../../src/adapters/pubsub/event-bus.js'
import { type Dataset, findDataset, type Row } from '../../../src/core/dataset.js'
import { readRecords } from '../../../src/core/formats/detect.js'
import { readParquetRows, writeParquet } from '../../../src/core/formats/parquet.js'
import { type DeadLetter, type FileResult, type QualityEvent, validators } from '../../../src/core/messages.js'
import { outputKey, quarantineKey } from '../../../src/core/output-path.js'
import { generateSampleNight, type SampleFile } from '../../../src/core/sample-night.js'
import { rowValidator } from '../../../src/core/validate.js'
import type { BusSubscription } from '../../../src/ports.js'
import { orders } from '../../support/datasets.js'
import { createWorld, Exit, type FerryWorld, ferry } from '../../support/ferry-env.js'

const endpoints = inject('endpoints')
const DATE = '2026-11-23'

describe('a night end to end on real local servers: S3+SQS (moto), Kafka (embedded), GCS, Pub/Sub', () => {
  let world: FerryWorld
  let night: SampleFile[]
  let gcs: GcsObjectStore
  let bus: PubSubEventBus
  let subscription: BusSubscription
  const events: Array<{ event: QualityEvent; attributes: Record<string, string> }> = []

  beforeAll(async () => {
    world = await createWorld(endpoints)
    night = generateSampleNight({ date: DATE, files: 8, seed: 7, formats: 'mixed' }).files
    gcs = new GcsObjectStore({ apiEndpoint: endpoints.gcs, projectId: 'ferry-test' })
    bus = new PubSubEventBus({ projectId: endpoints.pubsubProject, apiEndpoint: endpoints.pubsub })
    await bus.ensureTopic(world.topics.quality)
    // File verdicts only: `nightly` also publishes one `scope: night` event per dataset (test/integration/quality).
    const fileScope = { create: true, attributes: { scope: 'file' } }
    subscription = await bus.subscribe(world.topics.quality, `watch-${world.id}`, fileScope, async (m) => {
      events.push({ event: JSON.parse(m.data.toString('utf8')) as QualityEvent, attributes: m.attributes })
    })
    for (const file of night) {
      await world.s3.send(new PutObjectCommand({ Bucket: world.landing, Key: file.key, Body: file.bytes }))
    }
  })

  afterAll(async () => {
    await subscription?.close()
    await bus?.deleteSubscription(`watch-${world.id}`)
    await bus?.close()
  })

  it('drains every notification into ferry.objects and empties the queue', async () => {
    const run = await ferry(world, ['drain', '--wait-seconds', '1'])
    expect(run.err.join('\n')).not.toMatch(/error/i)
    expect(run.code).toBe(Exit.OK)
    expect(run.out.at(-1)).toMatch(new RegExp(`objects=${night.length} duplicates=0 skipped=\\d+ dead_lettered=0$`))
    const again = await ferry(world, ['drain', '--wait-seconds', '0', '--empty-receives', '1'])
    expect(again.out.at(-1)).toBe('drained messages=0 objects=0 duplicates=0 skipped=0 dead_lettered=0')
  })

  it('writes every valid row to GCS and every invalid row to quarantine, dead-letters the corrupt file', async () => {
    const run = await ferry(world, ['work', '--until-idle'])
    expect(run.code).toBe(Exit.OK)
    const results = new Map((await readTopic<FileResult>(world.topics.results)).map((r) => [r.source.key, r]))
    expect(results.size).toBe(night.length)
    for (const file of night) {
      const result = results.get(file.key) as FileResult
      // The event date is the S3 event's (UTC) date: the upload happened during this test.
      expect(result.eventDate).toBe(new Date().toISOString().slice(0, 10))
      const key = outputKey('', 'orders', result.eventDate, { bucket: world.landing, key: file.key })
      const qKey = quarantineKey('quarantine', 'orders', result.eventDate, { bucket: world.landing, key: file.key })
      if (file.expect.corrupt) {
        expect(result).toMatchObject({ status: 'dead-lettered', output: null, error: { code: 'FERRY_FORMAT' } })
        expect(await gcs.head(world.lake, key)).toBeUndefined()
        continue
      }
      expect(result).toMatchObject({
        status: 'written',
        rowsIn: file.expect.rows,
        rowsRejected: file.expect.invalidRows,
        output: `gs://${world.lake}/${key}`,
        quarantine: file.expect.invalidRows ? `gs://${world.lake}/${qKey}` : null,
      })
      const { rows } = await readParquetRows(await gcs.get(world.lake, key))
      expect(rows).toEqual(await expectedOutputRows(file, orders))
      const quarantined = await gcs.head(world.lake, qKey)
      if (file.expect.invalidRows === 0) {
        expect(quarantined).toBeUndefined()
        continue
      }
      const lines = Buffer.from(await gcs.get(world.lake, qKey))
        .toString('utf8')
        .trim()
        .split('\n')
      expect(lines).toHaveLength(file.expect.invalidRows)
      for (const line of lines) {
        const parsed = JSON.parse(line) as { errors: unknown[] }
        expect(parsed.errors.length).toBeGreaterThan(0)
      }
    }
    const dead = await readTopic<DeadLetter>(world.topics.dlq)
    const corrupt = night.filter((f) => f.expect.corrupt).map((f) => f.key)
    expect(dead.map((d) => d.object?.key)).toEqual(corrupt)
    expect(dead[0]?.error.code).toBe('FERRY_FORMAT')
  })

  it('publishes one schema-valid quality event per file with filterable attributes', async () => {
    const run = await ferry(world, ['quality', '--until-idle'])
    expect(run.code).toBe(Exit.DATA) // the corrupt file and the 9%-rejected file fail
    await waitFor(() => events.length >= night.length)
    expect(events).toHaveLength(night.length)
    for (const { event, attributes } of events) {
      expect(validators.qualityEvent(event), JSON.stringify(validators.qualityEvent.errors)).toBe(true)
      expect(attributes).toMatchObject({
        dataset: 'orders',
        status: event.status,
        severity: event.severity,
        scope: 'file',
      })
    }
    const failing = events
      .filter((e) => e.event.status === 'fail')
      .map((e) => e.event.source.key)
      .sort()
    const expected = night
      .filter((f) => f.expect.corrupt || f.expect.invalidRows / f.expect.rows > orders.quality.maxRejectedRate)
      .map((f) => f.key)
      .sort()
    expect(failing).toEqual(expected)
    expect(failing).toHaveLength(2)
  })

  it('re-running the night changes nothing: same objects, same bytes, same verdicts', async () => {
    const before = await snapshot(gcs, world.lake)
    const verdicts = new Map(events.map((e) => [e.event.source.key, e.event.status]))
    events.length = 0
    // The same files uploaded again: S3 sends fresh notifications for identical objects.
    for (const file of night) {
      await world.s3.send(new PutObjectCommand({ Bucket: world.landing, Key: file.key, Body: file.bytes }))
    }
    const run = await ferry(world, ['nightly', '--wait-seconds', '1'])
    expect(run.code).toBe(Exit.DATA)
    const last = run.out.at(-1) ?? ''
    const invalid = night.reduce((n, f) => n + (f.expect.corrupt ? 0 : f.expect.invalidRows), 0)
    expect(last).toBe(
      `files=${night.length} written=${night.length - 1} quarantined_rows=${invalid} dead_lettered=1 quality_pass=${night.length - 2} quality_fail=2`,
    )
    expect(await snapshot(gcs, world.lake)).toEqual(before)
    await waitFor(() => events.length >= night.length)
    expect(new Map(events.map((e) => [e.event.source.key, e.event.status]))).toEqual(verdicts)
  })

  async function readTopic<T>(topic: string): Promise<T[]> {
    const kafka = new Kafka({ brokers: [endpoints.kafka], clientId: `reader-${world.id}`, logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    await admin.connect()
    const offsets = await admin.fetchTopicOffsets(topic)
    await admin.disconnect()
    const total = offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0)
    const consumer = kafka.consumer({ groupId: `reader-${world.id}-${topic}` })
    const out: T[] = []
    await consumer.connect()
    await consumer.subscribe({ topic, fromBeginning: true })
    await consumer.run({
      eachMessage: async ({ message }) => {
        out.push(JSON.parse(message.value?.toString('utf8') ?? 'null') as T)
      },
    })
    await waitFor(() => out.length >= total)
    await consumer.disconnect()
    return out
  }
})

/** The orders transform applied to the rows the schema accepts: what the output must hold. */
async function expectedOutputRows(file: SampleFile, dataset: Dataset) {
  expect(findDataset([dataset], file.key)).toBe(dataset)
  const validate = rowValidator(dataset)
  const rows: Row[] = []
  for await (const batch of readRecords(file.key, file.bytes, { schema: dataset.schema })) rows.push(...batch.rows)
  const valid = rows.filter((row) => validate(row).valid)
  expect(valid).toHaveLength(file.expect.rows - file.expect.invalidRows)
  const written = writeParquet(
    dataset.outputColumns,
    valid.map((row) => dataset.transform(row)),
  )
  return (await readParquetRows(written)).rows
}

async function snapshot(store: GcsObjectStore, bucket: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for await (const info of store.list(bucket, '')) {
    // The metrics history records each run (run id, durations): data outputs are what must not change.
    if (info.key.startsWith('_ferry/')) continue
    out[info.key] = createHash('md5')
      .update(await store.get(bucket, info.key))
      .digest('hex')
  }
  return out
}

async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition')
    await new Promise((r) => setTimeout(r, 100))
  }
}
