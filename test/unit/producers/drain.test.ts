import { readFileSync } from 'node:fs'
import { pino } from 'pino'
import { afterEach, describe, expect, it } from 'vitest'
import {
  type DeadLetter,
  decodeMessage,
  type NotificationQualityEvent,
  type QualityMessage,
  validators,
} from '../../../src/core/messages.js'
import { MAX_NOTIFICATION_BODY } from '../../../src/core/quality.js'
import { FerryMetrics } from '../../../src/ops/metrics.js'
import type {
  BusSubscription,
  EventBus,
  EventLog,
  LogRecord,
  NotificationQueue,
  QueueMessage,
} from '../../../src/ports.js'
import { type DrainOptions, drain } from '../../../src/producers/drain.js'

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/notifications/${name}`, import.meta.url), 'utf8')

const silent = pino({ enabled: false })
const TOPICS = { objects: 'ferry.objects', dlq: 'ferry.dlq' }
const QUALITY_TOPIC = 'ferry-quality'

/** Everything the drain did to the queue, the log and the bus, in order. */
type Step = { op: 'produce'; topic: string; records: LogRecord[] } | { op: 'publish'; id: string } | { op: 'delete' }

class World {
  readonly steps: Step[] = []
  readonly published: Array<{ event: QualityMessage; attributes: Record<string, string> }> = []
  deleted: string[] = []
  private batches: QueueMessage[][]
  failPublish = false

  constructor(bodies: Array<[id: string, body: string]>) {
    const messages = bodies.map(([id, body]) => ({ id, body, receiptHandle: `rh-${id}`, receiveCount: 1 }))
    // at most 10 per receive, like SQS
    this.batches = []
    for (let i = 0; i < messages.length; i += 10) this.batches.push(messages.slice(i, i + 10))
  }

  readonly queue: NotificationQueue = {
    receive: async () => this.batches.shift() ?? [],
    delete: async (messages) => {
      this.steps.push({ op: 'delete' })
      this.deleted.push(...messages.map((m) => m.id))
    },
    send: async () => {},
  }

  readonly log: EventLog = {
    ensureTopics: async () => {},
    produce: async (topic, records) => {
      this.steps.push({ op: 'produce', topic, records })
    },
    consume: async () => {},
    close: async () => {},
  }

  readonly bus: EventBus = {
    ensureTopic: async () => {},
    publish: async (topic, data, attributes) => {
      expect(topic).toBe(QUALITY_TOPIC)
      // a bus rejects with the event unpublished: nothing may be deleted after that
      await new Promise((resolve) => setTimeout(resolve, 1))
      if (this.failPublish) throw new Error('bus unavailable')
      const id = String(this.published.length + 1)
      this.published.push({ event: decodeMessage(validators.qualityEvent, data), attributes })
      this.steps.push({ op: 'publish', id })
      return id
    },
    subscribe: async (): Promise<BusSubscription> => ({ close: async () => {} }),
    deleteSubscription: async () => {},
    close: async () => {},
  }

  deadLetters(): Array<{ key: string | null; letter: DeadLetter }> {
    return this.steps.flatMap((s) =>
      s.op === 'produce' && s.topic === TOPICS.dlq
        ? s.records.map((r) => ({ key: r.key, letter: decodeMessage(validators.deadLetter, r.value) }))
        : [],
    )
  }

  objects(): number {
    return this.steps.reduce((n, s) => n + (s.op === 'produce' && s.topic === TOPICS.objects ? s.records.length : 0), 0)
  }
}

function run(world: World, options: Partial<DrainOptions> = {}) {
  return drain(world.queue, world.log, silent, {
    runId: 'run-7',
    topics: TOPICS,
    waitSeconds: 0,
    emptyReceives: 1,
    visibilityTimeoutSeconds: 30,
    quality: { bus: world.bus, topic: QUALITY_TOPIC },
    now: () => new Date('2026-11-24T00:01:00.000Z'),
    ...options,
  })
}

const notificationEvents = (world: World) =>
  world.published.map((p) => p.event).filter((e): e is NotificationQualityEvent => e.scope === 'notification')

const BAD: Array<[id: string, body: string, reason: RegExp]> = [
  ['m-text', 'hello, this is not a notification', /not JSON/],
  ['m-xml', '<Event><Records/></Event>', /not JSON/],
  ['m-array', '[{"Records":[]}]', /array, not an object/],
  ['m-empty', '{"Records":[]}', /Records is empty/],
  ['m-escape', fixture('malformed-bad-escape.json'), /malformed %-escape/],
  ['m-bucket', fixture('malformed-missing-bucket.json'), /bucket\.name is missing/],
  ['m-truncated', fixture('malformed-truncated.json'), /not JSON/],
]

describe('drain: a notification quality event for every dead-lettered message', () => {
  let metrics: FerryMetrics | undefined
  afterEach(() => metrics?.close())

  it('publishes exactly one schema-valid event per unusable body, with its message id, reason and body', async () => {
    const world = new World([
      ['m-put', fixture('put.json')],
      ['m-test', fixture('test-event.json')],
      ['m-removed', fixture('removed.json')],
      ...BAD.map(([id, body]): [string, string] => [id, body]),
    ])
    const summary = await run(world)
    expect(summary).toMatchObject({ messages: 10, objects: 1, skipped: 2, deadLettered: BAD.length })

    const events = notificationEvents(world)
    expect(world.published).toHaveLength(BAD.length)
    expect(events.map((e) => e.messageId).sort()).toEqual(BAD.map(([id]) => id).sort())
    const letters = world.deadLetters()
    for (const [id, body, reason] of BAD) {
      const event = events.find((e) => e.messageId === id) as NotificationQualityEvent
      expect(validators.qualityEvent(event), JSON.stringify(validators.qualityEvent.errors)).toBe(true)
      expect(event.reason, id).toMatch(reason)
      expect(event).toMatchObject({
        schema: 'ferry.quality/v2',
        scope: 'notification',
        runId: 'run-7',
        status: 'fail',
        severity: 'fail',
        body,
        evaluatedAt: '2026-11-24T00:01:00.000Z',
      })
      expect(event.checks).toEqual([
        {
          name: 'notification_readable',
          status: 'fail',
          severity: 'fail',
          observed: false,
          threshold: true,
          message: event.reason,
        },
      ])
      // the same reason as the dead letter the drain keyed by the message id
      const letter = letters.find((l) => l.key === id)
      expect(letter?.letter.reason).toBe(event.reason)
    }
    for (const { attributes } of world.published) {
      expect(attributes).toEqual({ status: 'fail', severity: 'fail', scope: 'notification', run_id: 'run-7' })
    }
  })

  it('publishes after the dead letters reached Kafka and before the queue forgets the messages', async () => {
    const world = new World([
      ['m-put', fixture('put.json')],
      ['m-text', 'not json'],
      ['m-array', '[]'],
    ])
    await run(world)
    const ops = world.steps.map((s) => (s.op === 'produce' ? `produce ${s.topic}` : s.op))
    expect(ops).toEqual(['produce ferry.objects', 'produce ferry.dlq', 'publish', 'publish', 'delete'])
    expect(world.deleted.sort()).toEqual(['m-array', 'm-put', 'm-text'])
  })

  it('deletes nothing when the bus refuses an event, so the redelivery publishes it', async () => {
    const world = new World([
      ['m-put', fixture('put.json')],
      ['m-text', 'not json'],
    ])
    world.failPublish = true
    await expect(run(world)).rejects.toThrow('bus unavailable')
    expect(world.deleted).toEqual([])
    expect(world.steps.some((s) => s.op === 'delete')).toBe(false)
    // the dead letter was produced; the redelivery produces it again (at least once)
    expect(world.deadLetters().map((l) => l.key)).toEqual(['m-text'])
  })

  it('publishes nothing for good, duplicate and skipped notifications', async () => {
    const world = new World([
      ['m-put', fixture('put.json')],
      ['m-put-again', fixture('put.json')],
      ['m-two', fixture('two-records.json')],
      ['m-test', fixture('test-event.json')],
      ['m-removed', fixture('removed.json')],
      ['m-sns', fixture('sns-wrapped.json')],
    ])
    const summary = await run(world)
    expect(summary).toMatchObject({ deadLettered: 0, duplicates: 1, skipped: 2 })
    expect(world.objects()).toBeGreaterThan(0)
    expect(world.published).toEqual([])
    expect(world.steps.some((s) => s.op === 'publish')).toBe(false)
    expect(world.deleted).toHaveLength(6)
  })

  it('keeps 4 KiB of a large body in the event and 64 KiB in the dead letter', async () => {
    const huge = `not json ${'x'.repeat(100 * 1024)}`
    // a 4-byte character straddling the cut: the event must not end in half of it
    const straddling = `${'y'.repeat(MAX_NOTIFICATION_BODY - 1)}🚀 and more`
    const world = new World([
      ['m-huge', huge],
      ['m-emoji', straddling],
    ])
    await run(world)
    const events = notificationEvents(world)
    const big = events.find((e) => e.messageId === 'm-huge')
    expect(big?.body).toBe(huge.slice(0, MAX_NOTIFICATION_BODY))
    expect(world.deadLetters().find((l) => l.key === 'm-huge')?.letter.body).toHaveLength(64 * 1024)
    const emoji = events.find((e) => e.messageId === 'm-emoji')
    expect(emoji?.body).toBe('y'.repeat(MAX_NOTIFICATION_BODY - 1))
    for (const e of events) expect(validators.qualityEvent(e)).toBe(true)
  })

  it('publishes nothing without a bus, and still dead-letters', async () => {
    const world = new World([['m-text', 'not json']])
    const summary = await run(world, { quality: undefined })
    expect(summary.deadLettered).toBe(1)
    expect(world.published).toEqual([])
    expect(world.deadLetters()).toHaveLength(1)
    expect(world.deleted).toEqual(['m-text'])
  })

  it('counts each published event in ferry_quality_total under scope notification and no dataset', async () => {
    metrics = new FerryMetrics()
    const world = new World([
      ['m-put', fixture('put.json')],
      ['m-text', 'not json'],
      ['m-array', '[]'],
      ['m-empty', '{"Records":[]}'],
    ])
    await run(world)
    const text = await metrics.text()
    expect(text).toContain('ferry_quality_total{dataset="",scope="notification",status="fail"} 3')
    expect(text).toContain('ferry_dead_letters_total{stage="drain",code="FERRY_NOTIFICATION"} 3')
  })
})
