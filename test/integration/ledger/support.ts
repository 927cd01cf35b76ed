import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3'
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { GcsObjectStore } from '../../../src/adapters/gcs/object-store.js'
import { KafkaAdmin } from '../../../src/adapters/kafka/admin.js'
import { writeParquet } from '../../../src/core/formats/parquet.js'
import type { FileResult, LedgerEntry, ObjectMessage } from '../../../src/core/messages.js'
import { ORDER_INPUT_COLUMNS, orderRows, seededRandom } from '../../../src/core/sample-orders.js'
import { createLogger } from '../../../src/ops/logger.js'
import type { ConsumedRecord } from '../../../src/ports.js'
import { objectCreatedBody } from '../../../src/producers/object-created.js'
import type { TestEndpoints } from '../../support/endpoints.js'
import { AWS, createWorld, Exit, type FerryWorld, ferry } from '../../support/ferry-env.js'

export const DATE = '2026-11-23'

export interface LedgerWorld extends FerryWorld {
  ledgerTopic: string
  admin: KafkaAdmin
  gcs: GcsObjectStore
  endpoints: TestEndpoints
}

/**
 * createWorld plus a ledger topic of its own: the default `ferry.ledger` is shared by every world on
 * the test broker, and `ferry status` here must show this world's files only.
 */
export async function ledgerWorld(endpoints: TestEndpoints): Promise<LedgerWorld> {
  const world = await createWorld(endpoints)
  const file = world.env.FERRY_CONFIG ?? ''
  const config = JSON.parse(readFileSync(file, 'utf8')) as { kafka: { topics: Record<string, string> } }
  const ledgerTopic = `ferry.ledger.${world.id}`
  config.kafka.topics.ledger = ledgerTopic
  writeFileSync(file, JSON.stringify(config))
  const admin = new KafkaAdmin({
    brokers: [endpoints.kafka],
    clientId: `test-${world.id}`,
    logger: createLogger({ level: 'silent' }),
  })
  const gcs = new GcsObjectStore({ apiEndpoint: endpoints.gcs, projectId: 'ferry-test' })
  return { ...world, ledgerTopic, admin, gcs, endpoints }
}

/** A small valid orders file; the seed decides its content (and so its eTag). */
export function ordersFile(seed: number, rows = 60): Uint8Array {
  const from = Date.parse(`${DATE}T00:00:00Z`)
  return writeParquet(
    ORDER_INPUT_COLUMNS,
    orderRows(seededRandom(seed), {
      count: rows,
      from,
      to: from + 3_600_000,
      firstOrderNumber: 20_000_000 + seed * 1000,
    }),
  )
}

/** Uploads to the landing bucket; moto sends the bucket notification to the world's queue. */
export async function upload(world: FerryWorld, key: string, body: Uint8Array): Promise<void> {
  await world.s3.send(new PutObjectCommand({ Bucket: world.landing, Key: key, Body: body }))
}

/** Sends the object's notification to SQS again, as S3's at-least-once delivery sometimes does. */
export async function renotify(world: FerryWorld, key: string): Promise<void> {
  const head = await world.s3.send(new HeadObjectCommand({ Bucket: world.landing, Key: key }))
  const info = {
    bucket: world.landing,
    key,
    size: head.ContentLength ?? 0,
    ...(head.ETag ? { etag: head.ETag.replace(/"/g, '') } : {}),
  }
  const sqs = new SQSClient({ ...AWS, endpoint: world.env.AWS_ENDPOINT_URL })
  await sqs.send(new SendMessageCommand({ QueueUrl: world.queueUrl, MessageBody: objectCreatedBody(info, new Date()) }))
  sqs.destroy()
}

/** drain, work, quality: the moving parts of a night, each checked to succeed. */
export async function night(world: FerryWorld, options: { quality?: boolean } = {}): Promise<void> {
  const drained = await ferry(world, ['drain', '--wait-seconds', '1'])
  if (drained.code !== Exit.OK && drained.code !== Exit.DATA) throw new Error(drained.err.join('\n'))
  await mustRun(world, ['work', '--until-idle'])
  if (options.quality !== false) await ferry(world, ['quality', '--until-idle'])
}

export async function mustRun(world: FerryWorld, argv: string[]): Promise<string[]> {
  const run = await ferry(world, argv)
  if (run.code !== Exit.OK) throw new Error(`ferry ${argv.join(' ')} exited ${run.code}:\n${run.err.join('\n')}`)
  return run.out
}

export async function records(world: LedgerWorld, topic: string): Promise<ConsumedRecord[]> {
  const out: ConsumedRecord[] = []
  await world.admin.readTopic(topic, (r) => out.push(r))
  return out
}

export async function results(
  world: LedgerWorld,
): Promise<Array<{ result: FileResult; headers: Record<string, string> }>> {
  return (await records(world, world.topics.results)).map((r) => ({
    result: JSON.parse(r.value.toString('utf8')) as FileResult,
    headers: r.headers,
  }))
}

export async function objectMessages(world: LedgerWorld): Promise<ObjectMessage[]> {
  return (await records(world, world.topics.objects)).map((r) => JSON.parse(r.value.toString('utf8')) as ObjectMessage)
}

/** `ferry status --json`, keyed `key@eTag`. */
export async function status(world: LedgerWorld, ...filters: string[]): Promise<Map<string, LedgerEntry>> {
  const lines = await mustRun(world, ['status', '--json', ...filters])
  const entries = lines.map((l) => JSON.parse(l) as LedgerEntry)
  return new Map(entries.map((e) => [`${e.key}@${e.eTag}`, e]))
}

/**
 * md5 of every output and quarantine object in the lake: byte-identical or not. The quality
 * consumer's metrics history (`_ferry/`) records every evaluation, so it is left out.
 */
export async function lakeSnapshot(world: LedgerWorld): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for await (const info of world.gcs.list(world.lake, '')) {
    if (info.key.startsWith('_ferry/')) continue
    out[info.key] = createHash('md5')
      .update(await world.gcs.get(world.lake, info.key))
      .digest('hex')
  }
  return out
}

/** The run that last wrote an output object (the worker stamps it in the object's metadata). */
export async function writtenBy(world: LedgerWorld, uri: string | null): Promise<string | undefined> {
  const key = (uri ?? '').replace(`gs://${world.lake}/`, '')
  return (await world.gcs.head(world.lake, key))?.metadata?.ferry_run_id
}

export async function eTagOf(world: FerryWorld, key: string): Promise<string> {
  const head = await world.s3.send(new HeadObjectCommand({ Bucket: world.landing, Key: key }))
  return (head.ETag ?? '').replace(/"/g, '')
}

/** Polls until the condition holds: for state other processes change (groups joining, commits). */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition')
    await new Promise((r) => setTimeout(r, 100))
  }
}
