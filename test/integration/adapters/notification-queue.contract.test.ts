import { randomUUID } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs'
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest'
import { LocalNotificationQueue } from '../../../src/adapters/local/notification-queue.js'
import { SqsNotificationQueue } from '../../../src/adapters/sqs/notification-queue.js'
import { FerryError } from '../../../src/errors.js'
import type { NotificationQueue, QueueMessage, ReceiveOptions } from '../../../src/ports.js'
import { freePort } from '../../support/process.js'

const REGION = 'us-east-1'
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' }

interface QueueUnderTest {
  queue: NotificationQueue
  /** messages still in the queue, visible or in flight */
  remaining: () => Promise<number>
  cleanup: () => Promise<void>
}

interface Implementation {
  name: string
  create: () => Promise<QueueUnderTest>
}

const admin = new SQSClient({ endpoint: inject('endpoints').aws, region: REGION, credentials: CREDENTIALS })

const implementations: Implementation[] = [
  {
    name: 'sqs (moto)',
    async create() {
      const created = await admin.send(new CreateQueueCommand({ QueueName: `ferry-contract-${randomUUID()}` }))
      const queueUrl = created.QueueUrl!
      const queue = new SqsNotificationQueue({
        queueUrl,
        region: REGION,
        endpoint: inject('endpoints').aws,
        credentials: CREDENTIALS,
      })
      return {
        queue,
        async remaining() {
          const { Attributes } = await admin.send(
            new GetQueueAttributesCommand({
              QueueUrl: queueUrl,
              AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
            }),
          )
          return (
            Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible)
          )
        },
        async cleanup() {
          await queue.close()
          await admin.send(new DeleteQueueCommand({ QueueUrl: queueUrl }))
        },
      }
    },
  },
  {
    name: 'local folder',
    async create() {
      const root = await mkdtemp(join(tmpdir(), 'ferry-queue-'))
      return {
        queue: new LocalNotificationQueue(root),
        remaining: async () => (await readdir(join(root, 'messages'))).filter((n) => n.endsWith('.json')).length,
        cleanup: () => rm(root, { recursive: true, force: true }),
      }
    },
  },
]

afterAll(() => admin.destroy())

/** Receives until `count` messages arrived, or fails after `rounds` receives. */
async function receiveAll(
  queue: NotificationQueue,
  count: number,
  options: Partial<ReceiveOptions> = {},
  rounds = 30,
): Promise<QueueMessage[]> {
  const got: QueueMessage[] = []
  for (let i = 0; i < rounds && got.length < count; i++) {
    got.push(...(await queue.receive({ maxMessages: 10, waitSeconds: 1, visibilityTimeoutSeconds: 60, ...options })))
  }
  if (got.length < count) throw new Error(`received ${got.length} of ${count} messages`)
  return got
}

describe.each(implementations)('NotificationQueue contract: $name', (impl) => {
  let current: QueueUnderTest | undefined
  const open = async () => {
    current = await impl.create()
    return current
  }
  afterEach(async () => {
    await current?.cleanup()
    current = undefined
  })

  it('sends, receives and deletes, keeping bodies intact', async () => {
    const { queue, remaining } = await open()
    const bodies = ['{"Records":[]}', 'plain text', 'ünïcödé ✓ 🚀 "quoted" \\ back\nslash']
    for (const body of bodies) await queue.send(body)

    const received = await receiveAll(queue, bodies.length)
    expect(received.map((m) => m.body).sort()).toEqual([...bodies].sort())
    expect(new Set(received.map((m) => m.id)).size).toBe(bodies.length)
    for (const m of received) {
      expect(m.receiveCount).toBe(1)
      expect(m.receiptHandle).not.toBe('')
    }

    await queue.delete(received)
    expect(await remaining()).toBe(0)
  })

  it('redelivers after the visibility timeout with a higher receiveCount', async () => {
    const { queue, remaining } = await open()
    await queue.send('again')
    const [first] = await receiveAll(queue, 1, { visibilityTimeoutSeconds: 1 })
    expect(first?.receiveCount).toBe(1)

    // Not deleted: it comes back once the 1 s lease ran out (generous number of 1 s long polls).
    const [second] = await receiveAll(queue, 1, { visibilityTimeoutSeconds: 30 })
    expect(second?.id).toBe(first?.id)
    expect(second?.body).toBe('again')
    expect(second?.receiveCount).toBe(2)
    expect(second?.receiptHandle).not.toBe(first?.receiptHandle)

    await queue.delete([second!])
    expect(await remaining()).toBe(0)
  })

  it('hides a received message from other receives while its lease lasts', async () => {
    const { queue } = await open()
    await queue.send('leased')
    await receiveAll(queue, 1, { visibilityTimeoutSeconds: 60 })
    expect(await queue.receive({ maxMessages: 10, waitSeconds: 1 })).toEqual([])
  })

  it('deletes more than 10 messages in one call', async () => {
    const { queue, remaining } = await open()
    const count = 23
    for (let i = 0; i < count; i++) await queue.send(`message ${i}`)
    const received = await receiveAll(queue, count)
    expect(new Set(received.map((m) => m.body)).size).toBe(count)
    expect(await remaining()).toBe(count)

    await queue.delete(received)
    expect(await remaining()).toBe(0)
  })

  it('returns [] from a receive on an empty queue once the wait is over', async () => {
    const { queue } = await open()
    expect(await queue.receive({ maxMessages: 10, waitSeconds: 1 })).toEqual([])
  })

  it('deletes what it can and throws a FerryError listing the deliveries it could not delete', async () => {
    const { queue, remaining } = await open()
    await queue.send('good')
    await queue.send('bad')
    const received = await receiveAll(queue, 2)
    const good = received.find((m) => m.body === 'good')!
    const bad = received.find((m) => m.body === 'bad')!
    const forged = { ...bad, receiptHandle: 'not-a-receipt-handle' }

    const error = await queue.delete([good, forged]).then(
      () => undefined,
      (err: unknown) => err,
    )
    expect(error).toBeInstanceOf(FerryError)
    const ferry = error as FerryError
    expect(ferry.code).toBe('FERRY_NOTIFICATION')
    expect(ferry.retryable).toBe(true)
    expect(ferry.message).toContain(bad.id)
    expect(ferry.context.failed).toEqual([expect.objectContaining({ messageId: bad.id })])
    // the good one is gone, the bad one is still there (in flight)
    expect(await remaining()).toBe(1)
    await queue.delete([bad])
    expect(await remaining()).toBe(0)
  })

  it('treats deleting an already deleted delivery as done', async () => {
    const { queue } = await open()
    await queue.send('once')
    const received = await receiveAll(queue, 1)
    await queue.delete(received)
    await queue.delete(received)
  })
})

describe('SqsNotificationQueue errors', () => {
  it('maps a missing queue to a non-retryable FerryError with the SDK error as cause', async () => {
    const client = new SQSClient({ endpoint: inject('endpoints').aws, region: REGION, credentials: CREDENTIALS })
    const queueUrl = `${inject('endpoints').aws}/123456789012/ferry-missing-${randomUUID()}`
    const queue = new SqsNotificationQueue(client, queueUrl)
    try {
      const error = await queue.receive({ maxMessages: 1, waitSeconds: 0 }).catch((err: unknown) => err)
      expect(error).toBeInstanceOf(FerryError)
      expect(error).toMatchObject({ code: 'FERRY_NOTIFICATION', retryable: false })
      expect((error as FerryError).cause).toBeInstanceOf(Error)
      expect((error as FerryError).context).toMatchObject({ operation: 'ReceiveMessage', queueUrl })
    } finally {
      client.destroy()
    }
  })

  it('maps an unreachable endpoint to a retryable FerryError', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}` // free: nothing listens there
    const client = new SQSClient({
      endpoint,
      region: REGION,
      credentials: CREDENTIALS,
      maxAttempts: 1,
    })
    const queue = new SqsNotificationQueue(client, `${endpoint}/123456789012/nowhere`)
    try {
      const error = await queue.send('x').catch((err: unknown) => err)
      expect(error).toBeInstanceOf(FerryError)
      expect(error).toMatchObject({ code: 'FERRY_NOTIFICATION', retryable: true })
    } finally {
      client.destroy()
    }
  })
})

describe('LocalNotificationQueue', () => {
  it('keeps messages, leases and receive counts across a restart', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ferry-queue-'))
    try {
      const before = new LocalNotificationQueue(root)
      await before.send('first')
      await before.send('second')
      const [leased] = await before.receive({ maxMessages: 1, waitSeconds: 0, visibilityTimeoutSeconds: 1 })
      expect(leased?.body).toBe('first')

      const after = new LocalNotificationQueue(root)
      const [next] = await after.receive({ maxMessages: 1, waitSeconds: 0, visibilityTimeoutSeconds: 60 })
      expect(next?.body).toBe('second')
      const [again] = await receiveAll(after, 1, { visibilityTimeoutSeconds: 60 })
      expect(again).toMatchObject({ body: 'first', receiveCount: 2 })
      await after.delete([next!, again!])
      expect(await after.receive({ maxMessages: 10, waitSeconds: 0 })).toEqual([])
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })

  it('rejects the receipt handle of an earlier delivery once the message was received again', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ferry-queue-'))
    try {
      const queue = new LocalNotificationQueue(root)
      await queue.send('x')
      const [first] = await queue.receive({ maxMessages: 1, waitSeconds: 0, visibilityTimeoutSeconds: 1 })
      const [second] = await receiveAll(queue, 1, { visibilityTimeoutSeconds: 60 })
      await expect(queue.delete([first!])).rejects.toThrow(/stale receipt handle/)
      await queue.delete([second!])
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })

  it('never hands one message to two concurrent receivers', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ferry-queue-'))
    try {
      const writer = new LocalNotificationQueue(root)
      for (let i = 0; i < 30; i++) await writer.send(`m${i}`)
      const receivers = Array.from({ length: 4 }, () => new LocalNotificationQueue(root))
      const batches = await Promise.all(receivers.map((r) => r.receive({ maxMessages: 10, waitSeconds: 0 })))
      const ids = batches.flat().map((m) => m.id)
      expect(new Set(ids).size).toBe(ids.length)
      expect(ids.length).toBe(30)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})
