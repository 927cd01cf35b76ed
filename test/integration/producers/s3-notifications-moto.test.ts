import { randomUUID } from 'node:crypto'
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { CreateQueueCommand, DeleteQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { SqsNotificationQueue } from '../../../src/adapters/sqs/notification-queue.js'
import type { QueueMessage } from '../../../src/ports.js'
import { dedupeKey, type ObjectEvent, parseNotificationBody } from '../../../src/producers/s3-notification.js'

/**
 * Real S3 -> SQS bucket notifications on moto: S3 writes the notification bodies, Ferry's SQS
 * adapter receives them and the parser must give back exactly the keys that were uploaded.
 */
const endpoint = inject('endpoints').aws
const config = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }
const s3 = new S3Client({ ...config, forcePathStyle: true })
const sqs = new SQSClient(config)
const bucket = `ferry-notify-${randomUUID().slice(0, 8)}`
let queueUrl: string
let queue: SqsNotificationQueue

interface Expected {
  key: string
  size: number
  eTag: string
  eventName: string
}

const unquote = (etag: string | undefined) => (etag ?? '').replaceAll('"', '')

beforeAll(async () => {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }))
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `ferry-notify-${randomUUID()}` }))).QueueUrl!
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  )
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: bucket,
      NotificationConfiguration: {
        QueueConfigurations: [
          { Id: 'ferry', QueueArn: Attributes!.QueueArn!, Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'] },
        ],
      },
    }),
  )
  queue = new SqsNotificationQueue(sqs, queueUrl)
})

afterAll(async () => {
  await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl })).catch(() => {})
  s3.destroy()
  sqs.destroy()
})

async function put(key: string, body: string): Promise<Expected> {
  const out = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(body) }))
  return { key, size: Buffer.byteLength(body), eTag: unquote(out.ETag), eventName: 'ObjectCreated:Put' }
}

async function multipart(key: string, body: string): Promise<Expected> {
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }))
  const part = await s3.send(
    new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: Buffer.from(body) }),
  )
  const done = await s3.send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      UploadId,
      MultipartUpload: { Parts: [{ ETag: part.ETag, PartNumber: 1 }] },
    }),
  )
  return {
    key,
    size: Buffer.byteLength(body),
    eTag: unquote(done.ETag),
    eventName: 'ObjectCreated:CompleteMultipartUpload',
  }
}

async function copy(from: Expected, key: string): Promise<Expected> {
  const out = await s3.send(
    new CopyObjectCommand({ Bucket: bucket, Key: key, CopySource: `${bucket}/${encodeURIComponent(from.key)}` }),
  )
  return { key, size: from.size, eTag: unquote(out.CopyObjectResult?.ETag), eventName: 'ObjectCreated:Copy' }
}

const uniqueKeys = (events: ObjectEvent[]) => new Set(events.map(dedupeKey)).size

describe('S3 -> SQS notifications (moto)', () => {
  it('yields exactly the uploaded bucket, keys, sizes and ETags; skips the test event and removals', async () => {
    const expected: Expected[] = []
    expected.push(await put('drops/2024-05-01/orders file.csv', 'id,total\n1,10\n'))
    expected.push(await put('drops/c++/a+b=c.csv', 'plus'))
    expected.push(await put('drops/100% done?.csv', 'percent'))
    expected.push(await put('drops/%41%2B literally.csv', 'escape-looking key'))
    expected.push(await put('drops/données/été ✓ 🚀.csv', 'unicode ✓'))
    expected.push(await put('drops/spaces  twice & more.csv', ''))
    expected.push(await multipart('drops/multi part.parquet', 'x'.repeat(1024)))
    expected.push(await copy(expected[0]!, 'drops/copies/orders file (copy).csv'))
    await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'drops/100% done?.csv' }))

    const events: ObjectEvent[] = []
    const skips: string[] = []
    const invalid: string[] = []
    const messages: QueueMessage[] = []
    // Generous bound: moto enqueues synchronously, so this normally takes one or two receives.
    for (let round = 0; round < 30 && (uniqueKeys(events) < expected.length || skips.length < 2); round++) {
      const batch = await queue.receive({ maxMessages: 10, waitSeconds: 1, visibilityTimeoutSeconds: 60 })
      messages.push(...batch)
      for (const message of batch) {
        const parsed = parseNotificationBody(message.body)
        if (parsed.kind === 'objects') events.push(...parsed.events)
        else if (parsed.kind === 'skip') skips.push(parsed.reason)
        else invalid.push(`${parsed.reason}: ${message.body}`)
      }
    }

    expect(invalid).toEqual([])
    // moto also emits an ObjectCreated:Put for a completed multipart upload (real S3 sends only
    // CompleteMultipartUpload); both carry the same bucket/key/ETag, so dedupeKey collapses them,
    // exactly as the drain does.
    const unique = [...new Map(events.map((e) => [dedupeKey(e), e])).values()]
    const byKey = (a: { key: string }, b: { key: string }) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
    expect(unique.map((e) => ({ bucket: e.bucket, key: e.key, size: e.size, eTag: e.eTag })).sort(byKey)).toEqual(
      expected.map(({ key, size, eTag }) => ({ bucket, key, size, eTag })).sort(byKey),
    )
    for (const e of expected) {
      expect(events.filter((got) => got.key === e.key).map((got) => got.eventName)).toContain(e.eventName)
    }
    for (const e of events) {
      expect(e.region).toBe('us-east-1')
      expect(Number.isNaN(Date.parse(e.eventTime))).toBe(false)
    }
    expect(skips).toEqual(
      expect.arrayContaining([expect.stringContaining('s3:TestEvent'), expect.stringContaining('ObjectRemoved')]),
    )

    await queue.delete(messages)
    expect(await queue.receive({ maxMessages: 10, waitSeconds: 0 })).toEqual([])
  })
})
