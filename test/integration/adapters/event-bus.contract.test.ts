import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PubSub } from '@google-cloud/pubsub'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { LocalEventBus } from '../../../src/adapters/local/event-bus.js'
import { PubSubEventBus } from '../../../src/adapters/pubsub/event-bus.js'
import { attributeFilter } from '../../../src/adapters/pubsub/filter.js'
import { FerryError } from '../../../src/errors.js'
import type { BusMessage, BusSubscription, EventBus } from '../../../src/ports.js'

interface Implementation {
  name: string
  create: (root?: string) => Promise<{ bus: EventBus; cleanup: () => Promise<void> }>
}

const implementations: Implementation[] = [
  {
    name: 'pubsub (emulator)',
    async create() {
      const bus = new PubSubEventBus({
        projectId: inject('endpoints').pubsubProject,
        apiEndpoint: inject('endpoints').pubsub,
      })
      return { bus, cleanup: () => bus.close() }
    },
  },
  {
    name: 'local jsonl',
    async create() {
      const root = await mkdtemp(join(tmpdir(), 'ferry-bus-'))
      const bus = new LocalEventBus(root, { pollIntervalMs: 50, maxRedeliveryDelayMs: 200 })
      return {
        bus,
        async cleanup() {
          await bus.close()
          await rm(root, { recursive: true, force: true })
        },
      }
    },
  },
]

const unique = (prefix: string) => `${prefix}-${randomUUID()}`

/** Waits (polling, generous timeout) until the condition holds. */
async function until(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

describe.each(implementations)('EventBus contract: $name', (impl) => {
  const cleanups: Array<() => Promise<void>> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })

  async function open(): Promise<EventBus> {
    const { bus, cleanup } = await impl.create()
    cleanups.push(cleanup)
    return bus
  }

  async function subscribe(
    bus: EventBus,
    topic: string,
    subscription: string,
    options: { attributes?: Record<string, string>; create?: boolean },
    handler: (m: BusMessage) => Promise<void> = async () => {},
  ): Promise<{ received: BusMessage[]; sub: BusSubscription }> {
    const received: BusMessage[] = []
    const sub = await bus.subscribe(topic, subscription, options, async (m) => {
      received.push(m)
      await handler(m)
    })
    cleanups.push(async () => {
      await sub.close()
      await bus.deleteSubscription(subscription)
    })
    return { received, sub }
  }

  it('delivers what was published after the subscription was created, with data and attributes intact', async () => {
    const bus = await open()
    const topic = unique('ferry-topic')
    await bus.ensureTopic(topic)
    await bus.ensureTopic(topic) // idempotent
    await bus.publish(topic, Buffer.from('before the subscription'), { when: 'before' })

    const { received } = await subscribe(bus, topic, unique('ferry-sub'), { create: true })
    const data = Buffer.concat([
      Buffer.from('{"status":"fail","note":"ünïcödé ✓"}'),
      Buffer.from([0x00, 0xff, 0x0a, 0x7f]),
    ])
    const attributes = { status: 'fail', 'data-set': 'orders/eu', quote: 'say "hi" \\ bye', when: 'after' }
    const id = await bus.publish(topic, data, attributes)
    expect(id).not.toBe('')

    await until(() => received.some((m) => m.id === id), 'the published message')
    const message = received.find((m) => m.id === id)!
    expect(Buffer.compare(message.data, data)).toBe(0)
    expect(message.attributes).toEqual(attributes)
    expect(message.publishTime).toBeInstanceOf(Date)
    expect(Number.isNaN(message.publishTime.getTime())).toBe(false)
    // A subscription only sees messages published after it exists, as on Pub/Sub.
    expect(received.filter((m) => m.attributes.when === 'before')).toEqual([])
  })

  it('delivers only messages whose attributes match the subscription filter', async () => {
    const bus = await open()
    const topic = unique('ferry-topic')
    await bus.ensureTopic(topic)
    const filter = { status: 'fail', 'data-set': 'orders "eu"' }
    const { received } = await subscribe(bus, topic, unique('ferry-sub'), { create: true, attributes: filter })

    await bus.publish(topic, Buffer.from('match'), { ...filter, extra: 'fine' })
    await bus.publish(topic, Buffer.from('other status'), { ...filter, status: 'pass' })
    await bus.publish(topic, Buffer.from('missing attribute'), { status: 'fail' })
    await bus.publish(topic, Buffer.from('no attributes'), {})
    await bus.publish(topic, Buffer.from('last match'), filter)

    await until(() => received.length >= 2, 'both matching messages')
    expect(received.map((m) => m.data.toString()).sort()).toEqual(['last match', 'match'])
  })

  it('redelivers a message whose handler threw', async () => {
    const bus = await open()
    const topic = unique('ferry-topic')
    await bus.ensureTopic(topic)
    let attempts = 0
    const { received } = await subscribe(bus, topic, unique('ferry-sub'), { create: true }, async () => {
      attempts++
      if (attempts === 1) throw new Error('transient failure')
    })

    const id = await bus.publish(topic, Buffer.from('retry me'), { kind: 'retry' })
    await until(() => received.length >= 2, 'the redelivery')
    expect(received.slice(0, 2).map((m) => [m.id, m.data.toString()])).toEqual([
      [id, 'retry me'],
      [id, 'retry me'],
    ])
  })

  it('keeps a closed subscription: messages published meanwhile arrive when it reopens without create', async () => {
    const bus = await open()
    const topic = unique('ferry-topic')
    const name = unique('ferry-sub')
    await bus.ensureTopic(topic)
    const first = await subscribe(bus, topic, name, { create: true })
    await first.sub.close()

    const id = await bus.publish(topic, Buffer.from('while closed'), {})
    const second = await subscribe(bus, topic, name, { create: false })
    await until(() => second.received.some((m) => m.id === id), 'the message published while closed')
  })

  it('refuses to publish to, or create a subscription on, a topic that does not exist', async () => {
    const bus = await open()
    const topic = unique('ferry-missing')
    const publish = await bus.publish(topic, Buffer.from('x'), {}).catch((err: unknown) => err)
    expect(publish).toMatchObject({ code: 'FERRY_PUBSUB', retryable: false })
    const subscribe = await bus
      .subscribe(topic, unique('ferry-sub'), { create: true }, async () => {})
      .catch((err: unknown) => err)
    expect(subscribe).toMatchObject({ code: 'FERRY_PUBSUB', retryable: false })
  })

  it('deletes a subscription; deleting it again is fine; subscribing without create then fails', async () => {
    const bus = await open()
    const topic = unique('ferry-topic')
    const name = unique('ferry-sub')
    await bus.ensureTopic(topic)
    const { sub } = await subscribe(bus, topic, name, { create: true })
    await sub.close()

    await bus.deleteSubscription(name)
    await bus.deleteSubscription(name)
    const error = await bus.subscribe(topic, name, {}, async () => {}).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(FerryError)
    expect((error as FerryError).code).toBe('FERRY_PUBSUB')
  })
})

describe('PubSubEventBus', () => {
  it('creates the subscription with the attribute filter in Pub/Sub filter syntax (ready client form)', async () => {
    const client = new PubSub({
      projectId: inject('endpoints').pubsubProject,
      apiEndpoint: inject('endpoints').pubsub,
      emulatorMode: true,
      universeDomain: 'googleapis.com',
    })
    const bus = new PubSubEventBus(client)
    const topic = unique('ferry-topic')
    const name = unique('ferry-sub')
    try {
      await bus.ensureTopic(topic)
      const sub = await bus.subscribe(
        topic,
        name,
        { create: true, attributes: { status: 'fail', 'data-set': 'orders "eu"\\x' } },
        async () => {},
      )
      await sub.close()
      const [metadata] = await client.subscription(name).getMetadata()
      // The emulator stores the filter without applying it (it even accepts an unparsable one),
      // so this checks what Ferry sends; PubSubEventBus also applies the filter itself.
      expect(metadata.filter).toBe('attributes."data-set" = "orders \\"eu\\"\\\\x" AND attributes.status = "fail"')
      await bus.deleteSubscription(name)
    } finally {
      await bus.close()
      await client.close()
    }
  })

  it('builds no filter without attributes and refuses filters over 256 bytes', () => {
    expect(attributeFilter({})).toBeUndefined()
    expect(attributeFilter(undefined)).toBeUndefined()
    expect(attributeFilter({ kind: 'dq', 'run.id': 'r1' })).toBe(
      'attributes.kind = "dq" AND attributes."run.id" = "r1"',
    )
    expect(() => attributeFilter({ k: 'v'.repeat(300) })).toThrow(/256/)
  })
})

describe('LocalEventBus', () => {
  it('never redelivers an acked line to a subscription after a restart', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ferry-bus-'))
    const topic = 'ferry-quality'
    const name = 'ferry-restart'
    try {
      const before = new LocalEventBus(root, { pollIntervalMs: 20 })
      await before.ensureTopic(topic)
      const seenBefore: string[] = []
      const sub = await before.subscribe(topic, name, { create: true }, async (m) => {
        seenBefore.push(m.data.toString())
      })
      await before.publish(topic, Buffer.from('one'), {})
      await before.publish(topic, Buffer.from('two'), {})
      await until(() => seenBefore.length === 2, 'two deliveries')
      await sub.close()
      await before.close()

      await before.publish(topic, Buffer.from('three'), {})
      const after = new LocalEventBus(root, { pollIntervalMs: 20 })
      const seenAfter: string[] = []
      const reopened = await after.subscribe(topic, name, {}, async (m) => {
        seenAfter.push(m.data.toString())
      })
      await until(() => seenAfter.includes('three'), 'the message published during the restart')
      await reopened.close()
      // delivery is in order, so an acked line redelivered would have come before "three"
      expect(seenAfter).toEqual(['three'])
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })

  it('keeps lines whole under concurrent publishers', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ferry-bus-'))
    try {
      const buses = Array.from({ length: 4 }, () => new LocalEventBus(root, { pollIntervalMs: 20 }))
      await buses[0]!.ensureTopic('ferry-many')
      const got: string[] = []
      const sub = await buses[0]!.subscribe('ferry-many', 'ferry-many-sub', { create: true }, async (m) => {
        got.push(m.data.toString())
      })
      const big = 'x'.repeat(100_000)
      await Promise.all(
        buses.flatMap((bus, b) =>
          Array.from({ length: 25 }, (_, i) =>
            bus.publish('ferry-many', Buffer.from(`${b}-${i}-${big}`), { b: `${b}` }),
          ),
        ),
      )
      await until(() => got.length === 100, '100 messages')
      await sub.close()
      expect(new Set(got).size).toBe(100)
      expect(got.every((d) => d.endsWith(big))).toBe(true)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })

  it('rejects topic and subscription names that are not Pub/Sub names (no path tricks)', async () => {
    const bus = new LocalEventBus(join(tmpdir(), 'ferry-bus-unused'))
    await expect(bus.ensureTopic('../escape')).rejects.toMatchObject({ code: 'FERRY_USAGE' })
    await expect(bus.deleteSubscription('a/b/c')).rejects.toMatchObject({ code: 'FERRY_USAGE' })
  })
})
