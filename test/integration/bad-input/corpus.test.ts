/**
 * The whole bad-input corpus (test/fixtures/bad/cases.ts) through the real topology, in one night:
 * files uploaded to the moto landing bucket announce themselves with real S3 -> SQS notifications,
 * raw notification bodies go straight to the queue, and one `ferry nightly` drains, works and judges
 * everything under low resource limits. Then every case is checked where an operator would look:
 * its file result (ferry.results) and dead letter (ferry.dlq), its ledger entry (`ferry status`), its
 * file-scope quality event on Pub/Sub (a notification the drain dead-lettered: its notification-scope
 * event), and the Prometheus metrics the night wrote. Nothing may be lost, no command may fail, and
 * the night must end in bounded time: no damaged file may reach a decoder loop.
 *
 * The engine runs in worker threads from the build: `npm run build` first.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { CreateBucketCommand, DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { pino } from 'pino'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { GcsObjectStore } from '../../../src/adapters/gcs/object-store.js'
import { KafkaAdmin } from '../../../src/adapters/kafka/admin.js'
import { PubSubEventBus } from '../../../src/adapters/pubsub/event-bus.js'
import type { QuarantineLine } from '../../../src/core/engine.js'
import {
  type DeadLetter,
  decodeMessage,
  type FileResult,
  type LedgerEntry,
  type NotificationQualityEvent,
  type QualityEvent,
  validators,
} from '../../../src/core/messages.js'
import type { BusSubscription } from '../../../src/ports.js'
import {
  BAD_CASES,
  type BadCase,
  type BodyObject,
  caseBytes,
  type FileOutcome,
  LIMITS,
  type NotificationCase,
  renderBody,
  type UploadCase,
} from '../../fixtures/bad/cases.js'
import { committed } from '../../fixtures/bad/generate.js'
import { AWS, type CliRun, createWorld, Exit, type FerryWorld, ferry } from '../../support/ferry-env.js'

const endpoints = inject('endpoints')
const WORKER = new URL('../../../dist/src/core/engine/worker.js', import.meta.url)
/** The whole night must end within this. */
const NIGHT_BOUND_MS = 75_000

/** A case that reaches the worker: an upload, or a notification the drain queues. */
interface FileCase {
  name: string
  bucket: string
  key: string
  expect: FileOutcome
}

const uploads = BAD_CASES.filter((c): c is UploadCase => c.kind === 'upload')
const notifications = BAD_CASES.filter((c): c is NotificationCase => c.kind === 'notification')
const drainDeadLetters = notifications.filter((c) => c.expect.drain === 'dead-lettered')
const drainSkips = notifications.filter((c) => c.expect.drain === 'skipped')

const silent = pino({ enabled: false })

describe('the bad-input corpus, one night through S3 -> SQS -> drain -> Kafka -> work -> GCS -> quality -> Pub/Sub', () => {
  let world: FerryWorld
  let side: string
  let sqs: SQSClient
  let bus: PubSubEventBus
  let subscription: BusSubscription | undefined
  let notificationSubscription: BusSubscription | undefined
  /** notification-scope events, by Pub/Sub message id, with their attributes */
  const notified = new Map<string, { event: NotificationQualityEvent; attributes: Record<string, string> }>()
  let notificationEvents: Array<{ event: NotificationQualityEvent; attributes: Record<string, string> }> = []
  /** by Pub/Sub message id: a redelivery is not a second event */
  const delivered = new Map<string, QualityEvent>()
  let events: QualityEvent[] = []
  const bodies = new Map<string, string>()
  let fileCases: FileCase[] = []
  let night: CliRun
  let nightMs = 0
  let status: CliRun
  const results: FileResult[] = []
  const deadLetters: DeadLetter[] = []
  /** the drain keys its dead letters by the queue message id */
  const deadLetterKeys = new Map<DeadLetter, string | null>()
  let ledger: LedgerEntry[] = []
  let metrics: Map<string, number>
  const gcs = new GcsObjectStore({ apiEndpoint: endpoints.gcs, projectId: 'ferry-test' })

  beforeAll(async () => {
    if (!existsSync(fileURLToPath(WORKER))) {
      throw new Error(`${fileURLToPath(WORKER)} is missing: run \`npm run build\` before the integration tests`)
    }
    world = await createWorld(endpoints)
    // The world's own ledger topic: `ferry status` then reads this night only.
    const configFile = world.env.FERRY_CONFIG as string
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as { kafka: { topics: Record<string, string> } }
    config.kafka.topics.ledger = `ferry.ledger.${world.id}`
    writeFileSync(configFile, JSON.stringify(config))
    for (const [name, value] of Object.entries(LIMITS)) world.env[name] = String(value)

    // Objects named by raw notifications live in a bucket without notifications of its own.
    side = `side-${world.id}`
    await world.s3.send(new CreateBucketCommand({ Bucket: side }))
    sqs = new SQSClient({ ...AWS, endpoint: endpoints.aws })

    bus = new PubSubEventBus({ projectId: endpoints.pubsubProject, apiEndpoint: endpoints.pubsub })
    await bus.ensureTopic(world.topics.quality)
    subscription = await bus.subscribe(
      world.topics.quality,
      `corpus-${world.id}`,
      { create: true, attributes: { scope: 'file' } },
      async (m) => {
        delivered.set(m.id, JSON.parse(m.data.toString('utf8')) as QualityEvent)
      },
    )
    notificationSubscription = await bus.subscribe(
      world.topics.quality,
      `corpus-notifications-${world.id}`,
      { create: true, attributes: { scope: 'notification' } },
      async (m) => {
        const event = JSON.parse(m.data.toString('utf8')) as NotificationQualityEvent
        notified.set(m.id, { event, attributes: m.attributes })
      },
    )

    for (const c of uploads) {
      await world.s3.send(new PutObjectCommand({ Bucket: world.landing, Key: c.key, Body: caseBytes(c.bytes) }))
      fileCases.push({ name: c.name, bucket: world.landing, key: c.key, expect: c.expect })
    }
    // deleted after S3 queued their notifications: the night finds them gone
    for (const c of uploads.filter((u) => u.deleteBeforeRun)) {
      await world.s3.send(new DeleteObjectCommand({ Bucket: world.landing, Key: c.key }))
    }
    for (const c of notifications) {
      const object: BodyObject = {
        bucket: side,
        key: c.object?.key ?? 'orders/unused.csv',
        size: 0,
        etag: '0123456789abcdef0123456789abcdef',
        time: new Date().toISOString(),
      }
      if (c.object?.bytes) {
        const bytes = caseBytes(c.object.bytes)
        const put = await world.s3.send(new PutObjectCommand({ Bucket: side, Key: c.object.key, Body: bytes }))
        object.size = bytes.byteLength
        object.etag = (put.ETag ?? '').replaceAll('"', '')
      }
      const body = renderBody(new TextDecoder().decode(committed(`notifications/${c.body}`)), object)
      bodies.set(c.name, body)
      for (let i = 0; i < (c.deliveries ?? 1); i++) {
        await sqs.send(new SendMessageCommand({ QueueUrl: world.queueUrl, MessageBody: body }))
      }
      if (c.expect.drain === 'queued') {
        fileCases.push({ name: c.name, bucket: side, key: object.key, expect: c.expect.file })
      }
    }
    fileCases = fileCases.sort((a, b) => a.name.localeCompare(b.name))

    const metricsFile = join(world.home, 'ferry.prom')
    const started = Date.now()
    night = await ferry(world, ['nightly', '--wait-seconds', '1', '--metrics-file', metricsFile])
    nightMs = Date.now() - started
    status = await ferry(world, ['status', '--json'])
    ledger = status.out.map((line) => JSON.parse(line) as LedgerEntry)

    const admin = new KafkaAdmin({ brokers: [endpoints.kafka], clientId: `corpus-${world.id}`, logger: silent })
    try {
      await admin.readTopic(world.topics.results, (r) => results.push(decodeMessage(validators.fileResult, r.value)))
      await admin.readTopic(world.topics.dlq, (r) => {
        const letter = decodeMessage(validators.deadLetter, r.value)
        deadLetters.push(letter)
        deadLetterKeys.set(letter, r.key)
      })
    } finally {
      await admin.close()
    }
    metrics = existsSync(metricsFile) ? parseMetrics(readFileSync(metricsFile, 'utf8')) : new Map()
    if (process.env.FERRY_CORPUS_REPORT === '1') {
      // what Ferry made of each case, for a person comparing it with the manifest
      for (const c of fileCases) {
        const r = results.find((x) => x.source.bucket === c.bucket && x.source.key === c.key)
        const outcome = r ? `${r.status} ${r.error?.code ?? `${r.rowsOut}/${r.rowsRejected}`}` : 'NO RESULT'
        console.log(
          `${c.name.padEnd(44)} ${outcome.padEnd(32)} ${r?.durationsMs.total ?? '-'} ms  ${r?.error?.message ?? ''}`,
        )
      }
      console.log(`night ${nightMs} ms: ${night.out.at(-1)}`)
    }
    // a missing event fails the checks below, which name the file
    await waitFor(() => delivered.size >= fileCases.length, 'a quality event for every file', 30_000).catch(() => {})
    events = [...delivered.values()]
    await waitFor(
      () => notified.size >= drainDeadLetters.length,
      'a notification event for every drain dead letter',
      30_000,
    ).catch(() => {})
    // a moment more, so an extra event (one too many) would be seen too
    await new Promise((resolve) => setTimeout(resolve, 1_000))
    notificationEvents = [...notified.values()]
  }, 240_000)

  afterAll(async () => {
    await subscription?.close()
    await notificationSubscription?.close()
    await bus?.deleteSubscription(`corpus-${world?.id}`)
    await bus?.deleteSubscription(`corpus-notifications-${world?.id}`)
    await bus?.close()
    sqs?.destroy()
  })

  const one = <T>(items: T[], what: string): T => {
    expect(items, what).toHaveLength(1)
    return items[0] as T
  }
  const resultOf = (c: FileCase) =>
    one(
      results.filter((r) => r.source.bucket === c.bucket && r.source.key === c.key),
      `${c.name}: one file result`,
    )
  const eventOf = (c: FileCase) =>
    one(
      events.filter((e) => e.source.bucket === c.bucket && e.source.key === c.key),
      `${c.name}: one quality event`,
    )
  const ledgerOf = (c: FileCase) =>
    one(
      ledger.filter((e) => e.bucket === c.bucket && e.key === c.key),
      `${c.name}: one ledger entry`,
    )

  it('ends the night without a failed command, within its time bound', () => {
    // 1: some files failed quality, as they must; 2 would be an error that stopped a consumer
    expect(night.code, night.err.join('\n')).toBe(Exit.DATA)
    expect(night.err.join('\n')).not.toMatch(/ferry nightly: error|uncaught|unhandled/i)
    expect(status.code, status.err.join('\n')).toBe(Exit.OK)
    expect(nightMs).toBeLessThan(NIGHT_BOUND_MS)
  })

  it('loses nothing: every file has one result, one ledger entry and one quality event; nothing else has any', () => {
    const expected = fileCases.map((c) => `${c.bucket}/${c.key}`).sort()
    expect(results.map((r) => `${r.source.bucket}/${r.source.key}`).sort()).toEqual(expected)
    expect(ledger.map((e) => `${e.bucket}/${e.key}`).sort()).toEqual(expected)
    expect(events.map((e) => `${e.source.bucket}/${e.source.key}`).sort()).toEqual(expected)
  })

  it('sums the night up as the cases add up', () => {
    const count = (status: FileOutcome['status']) => fileCases.filter((c) => c.expect.status === status).length
    const fails = fileCases.filter((c) => c.expect.quality === 'fail').length
    const rejected = fileCases.reduce((n, c) => n + (c.expect.rowsRejected ?? 0), 0)
    expect(night.out.at(-1)).toBe(
      `files=${fileCases.length} written=${count('written')} quarantined_rows=${rejected} ` +
        `dead_lettered=${count('dead-lettered')} quality_pass=${fileCases.length - fails} quality_fail=${fails}`,
    )
  })

  it('drains every notification into one object, a skip or a dead letter', () => {
    const queued = fileCases.length
    // moto sends one s3:TestEvent of its own when the world's bucket notification is configured
    expect(series(metrics, 'ferry_drain_notifications_total', { outcome: 'object' })).toBe(queued)
    expect(series(metrics, 'ferry_drain_notifications_total', { outcome: 'skipped' })).toBe(drainSkips.length + 1)
    expect(series(metrics, 'ferry_drain_notifications_total', { outcome: 'duplicate' })).toBe(
      notifications.reduce((n, c) => n + (c.deliveries ?? 1) - 1, 0),
    )
    expect(series(metrics, 'ferry_drain_notifications_total', { outcome: 'dead-lettered' })).toBe(
      drainDeadLetters.length,
    )
    expect(deadLetters.filter((d) => d.stage === 'drain')).toHaveLength(drainDeadLetters.length)
  })

  describe.each(drainDeadLetters.map((c) => ({ name: c.name, c })))('$name', ({ c }) => {
    it('is dead-lettered by the drain with the body and the reason', () => {
      const expected = c.expect as Extract<NotificationCase['expect'], { drain: 'dead-lettered' }>
      const letter = one(
        deadLetters.filter((d) => d.stage === 'drain' && d.body === bodies.get(c.name)),
        `${c.name}: one drain dead letter`,
      )
      expect(letter.error.code).toBe(expected.code)
      expect(letter.reason).toMatch(expected.reason)
    })

    it('has one notification-scope quality event with the message id, the reason and the body', () => {
      const expected = c.expect as Extract<NotificationCase['expect'], { drain: 'dead-lettered' }>
      const body = bodies.get(c.name)
      const { event, attributes } = one(
        notificationEvents.filter((n) => n.event.body === body),
        `${c.name}: one notification quality event`,
      )
      expect(validators.qualityEvent(event), JSON.stringify(validators.qualityEvent.errors)).toBe(true)
      expect(event).toMatchObject({ scope: 'notification', status: 'fail', severity: 'fail' })
      expect(event.reason).toMatch(expected.reason)
      expect(event.checks.map((k) => [k.name, k.status, k.message])).toEqual([
        ['notification_readable', 'fail', event.reason],
      ])
      expect(attributes).toEqual({ status: 'fail', severity: 'fail', scope: 'notification', run_id: event.runId })
      // the same message as the dead letter: its key is the queue message id
      const letter = one(
        deadLetters.filter((d) => d.stage === 'drain' && d.body === body),
        `${c.name}: one drain dead letter`,
      )
      expect(event.messageId).toBe(deadLetterKeys.get(letter))
      expect(event.reason).toBe(letter.reason)
      expect(event.runId).toBe(letter.runId)
    })
  })

  it('publishes a notification event for each drain dead letter, and for nothing else', () => {
    expect(notificationEvents.map((n) => n.event.messageId).sort()).toEqual(
      deadLetters
        .filter((d) => d.stage === 'drain')
        .map((d) => deadLetterKeys.get(d))
        .sort(),
    )
    expect(notificationEvents).toHaveLength(drainDeadLetters.length)
    // skipped and queued notifications got none: no event carries their bodies
    for (const c of notifications.filter((n) => n.expect.drain !== 'dead-lettered')) {
      expect(
        notificationEvents.filter((n) => n.event.body === bodies.get(c.name)),
        c.name,
      ).toEqual([])
    }
  })

  it('counts dead letters by stage and code, files by status and verdicts by status in the metrics', () => {
    const codes = new Map<string, number>()
    for (const c of fileCases) {
      if (c.expect.code) codes.set(c.expect.code, (codes.get(c.expect.code) ?? 0) + 1)
    }
    for (const [code, n] of codes) {
      expect(series(metrics, 'ferry_dead_letters_total', { stage: 'work', code }), code).toBe(n)
    }
    expect(series(metrics, 'ferry_dead_letters_total', { stage: 'work' })).toBe(
      [...codes.values()].reduce((a, b) => a + b, 0),
    )
    expect(series(metrics, 'ferry_dead_letters_total', { stage: 'drain', code: 'FERRY_NOTIFICATION' })).toBe(
      drainDeadLetters.length,
    )
    for (const status of ['written', 'quarantined', 'dead-lettered'] as const) {
      expect(series(metrics, 'ferry_files_total', { status }), status).toBe(
        fileCases.filter((c) => c.expect.status === status).length,
      )
    }
    for (const verdict of ['pass', 'fail'] as const) {
      expect(series(metrics, 'ferry_quality_total', { scope: 'file', status: verdict }), verdict).toBe(
        fileCases.filter((c) => c.expect.quality === verdict).length,
      )
    }
    // one notification verdict per drain dead letter, under no dataset
    expect(series(metrics, 'ferry_quality_total', { scope: 'notification' })).toBe(drainDeadLetters.length)
    expect(series(metrics, 'ferry_quality_total', { dataset: '', scope: 'notification', status: 'fail' })).toBe(
      drainDeadLetters.length,
    )
    const rejected = fileCases.reduce((n, c) => n + (c.expect.rowsRejected ?? 0), 0)
    expect(series(metrics, 'ferry_rows_total', { kind: 'rejected' })).toBe(rejected)
  })

  // One block per case that reaches the worker, so a report names the case that went wrong.
  describe.each(
    BAD_CASES.filter((c) => c.kind === 'upload' || c.expect.drain === 'queued').map((c: BadCase) => ({
      name: c.name,
    })),
  )('$name', ({ name }) => {
    const theCase = () => fileCases.find((c) => c.name === name) as FileCase

    it('gets the expected file result, and a dead letter exactly when dead-lettered', async () => {
      const c = theCase()
      const result = resultOf(c)
      const { status, code, message, rowsOut, rowsRejected } = c.expect
      expect({ status: result.status, code: result.error?.code }, result.error?.message).toEqual({ status, code })
      if (message) expect(result.error?.message).toMatch(message)
      if (rowsOut !== undefined) expect(result.rowsOut, 'rowsOut').toBe(rowsOut)
      if (rowsRejected !== undefined) expect(result.rowsRejected, 'rowsRejected').toBe(rowsRejected)
      if (c.expect.keywords) {
        const keywords = [...new Set(result.firstErrors.map((e) => e.keyword))].sort()
        expect(keywords, JSON.stringify(result.firstErrors)).toEqual([...c.expect.keywords].sort())
      }
      const letters = deadLetters.filter(
        (d) => d.stage === 'work' && d.object?.bucket === c.bucket && d.object?.key === c.key,
      )
      if (status !== 'dead-lettered') {
        expect(letters).toEqual([])
        expect(result.rowsIn).toBe(result.rowsOut + result.rowsRejected)
        // outputs are named by a hash of the source, inside the lake, whatever the key holds
        expect(result.output).toMatch(
          new RegExp(`^gs://${world.lake}/orders/date=\\d{4}-\\d{2}-\\d{2}/[\\w.-]+\\.parquet$`),
        )
        expect(result.quarantine !== null).toBe(result.rowsRejected > 0)
        if (result.quarantine) {
          // the rejected rows themselves, one NDJSON line each, with why
          const uri = /^gs:\/\/([^/]+)\/(.+)$/.exec(result.quarantine)
          expect(uri?.[1]).toBe(world.lake)
          const text = Buffer.from(await gcs.get(uri?.[1] ?? '', uri?.[2] ?? '')).toString('utf8')
          const lines = text
            .trimEnd()
            .split('\n')
            .map((l) => JSON.parse(l) as QuarantineLine)
          expect(lines).toHaveLength(result.rowsRejected)
          for (const line of lines) expect(line.errors.length, JSON.stringify(line).slice(0, 200)).toBeGreaterThan(0)
        }
        return
      }
      expect(result).toMatchObject({ output: null, quarantine: null, rowsOut: 0 })
      const letter = one(letters, `${c.name}: one work dead letter`)
      expect(letter.error).toEqual({ code, message: result.error?.message })
    })

    it('has a ledger entry that ends qualified, with the outcome and the verdict', () => {
      const c = theCase()
      const entry = ledgerOf(c)
      expect({
        state: entry.state,
        quality: entry.quality,
        status: entry.result?.status,
        lastError: entry.lastError?.code,
      }).toEqual({ state: 'qualified', quality: c.expect.quality, status: c.expect.status, lastError: c.expect.code })
    })

    it('has a file-scope quality event whose verdict and contents reflect the outcome', () => {
      const c = theCase()
      const event = eventOf(c)
      expect(validators.qualityEvent(event), JSON.stringify(validators.qualityEvent.errors)).toBe(true)
      expect(event.status, JSON.stringify(event.checks.filter((k) => k.status === 'fail'))).toBe(c.expect.quality)
      expect(event.dataset).toBe(c.expect.code === 'FERRY_NO_DATASET' ? 'unknown' : 'orders')
      const processing = event.checks.find((k) => k.name === 'processing')
      expect(processing?.observed).toBe(c.expect.status)
      if (c.expect.status === 'dead-lettered') {
        expect(processing?.status).toBe('fail')
        if (c.expect.message) expect(processing?.message).toMatch(c.expect.message)
        expect(event.output).toBeNull()
        return
      }
      expect(event.counts).toMatchObject({
        rowsOut: c.expect.rowsOut ?? event.counts.rowsOut,
        rowsRejected: c.expect.rowsRejected ?? event.counts.rowsRejected,
      })
      if (c.expect.rowsOut === 0 && c.expect.rowsRejected === 0) {
        expect(event.checks.find((k) => k.name === 'non_empty')?.status).toBe('fail')
      }
    })
  })

  it('ends every file well before the per-file time limit: damaged pages are refused, never looped on', () => {
    expect(fileCases.filter((c) => c.expect.code === 'FERRY_TIMEOUT').map((c) => c.name)).toEqual([])
    for (const c of fileCases) {
      expect(resultOf(c).durationsMs.total, c.name).toBeLessThan(LIMITS.FERRY_FILE_TIMEOUT_MS)
    }
  })
})

/** Prometheus text format to `name{label="value",...}` -> value. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue
    const at = line.lastIndexOf(' ')
    out.set(line.slice(0, at), Number(line.slice(at + 1)))
  }
  return out
}

/** The sum of a counter's series whose labels include all of `labels`. */
function series(metrics: Map<string, number>, name: string, labels: Record<string, string>): number {
  let sum = 0
  for (const [id, value] of metrics) {
    if (id !== name && !id.startsWith(`${name}{`)) continue
    if (Object.entries(labels).every(([k, v]) => id.includes(`${k}="${v}"`))) sum += value
  }
  return sum
}

async function waitFor(condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}
