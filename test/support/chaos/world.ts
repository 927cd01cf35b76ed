import { createHash } from 'node:crypto'
import { readFileSync, writeFileSync } from 'node:fs'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs'
import { GcsObjectStore } from '../../../src/adapters/gcs/object-store.js'
import { PubSubEventBus } from '../../../src/adapters/pubsub/event-bus.js'
import type { QualityEvent } from '../../../src/core/messages.js'
import type { BusSubscription } from '../../../src/ports.js'
import { runFerry } from '../bin.js'
import type { TestEndpoints } from '../endpoints.js'
import { AWS, createWorld, type FerryWorld } from '../ferry-env.js'
import type { ChaosFile } from './night.js'

/** A createWorld installation made fit for child processes, with what the crash test observes. */
export interface ChaosWorld extends FerryWorld {
  /** the world's own ledger topic (createWorld leaves ferry.ledger shared between worlds) */
  ledgerTopic: string
  groups: { work: string; quality: string }
  sqs: SQSClient
  gcs: GcsObjectStore
  /** file-scope quality events published on the world's topic since `watchQuality` */
  events: QualityEvent[]
}

export async function createChaosWorld(endpoints: TestEndpoints): Promise<ChaosWorld> {
  const world = await createWorld(endpoints)
  const ledgerTopic = `ferry.ledger.${world.id}`
  const file = world.env.FERRY_CONFIG as string
  const config = JSON.parse(readFileSync(file, 'utf8')) as {
    kafka: { topics: Record<string, string>; groups: { work: string; quality: string } }
  }
  config.kafka.topics.ledger = ledgerTopic
  writeFileSync(file, JSON.stringify(config))
  return {
    ...world,
    // spawnFerry passes only PATH and HOME through; moto accepts any credentials
    env: {
      ...world.env,
      AWS_ACCESS_KEY_ID: AWS.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: AWS.credentials.secretAccessKey,
    },
    ledgerTopic,
    groups: config.kafka.groups,
    sqs: new SQSClient({ ...AWS, endpoint: endpoints.aws }),
    gcs: new GcsObjectStore({ apiEndpoint: endpoints.gcs, projectId: 'ferry-test' }),
    events: [],
  }
}

export async function upload(world: ChaosWorld, files: readonly ChaosFile[]): Promise<void> {
  for (const file of files) {
    await world.s3.send(new PutObjectCommand({ Bucket: world.landing, Key: file.key, Body: file.bytes }))
  }
}

/** The reference night: upload everything, then drain, work and quality once each, uninterrupted. */
export async function runCleanly(world: ChaosWorld, files: readonly ChaosFile[]): Promise<void> {
  await upload(world, files)
  for (const args of [
    ['drain', '--wait-seconds', '1'],
    ['work', '--until-idle'],
    ['quality', '--until-idle'],
  ]) {
    const run = await runFerry(args, { cwd: world.home, env: world.env })
    // quality exits 1 when a file failed its checks, which this night's bad files do
    if (run.code !== 0 && run.code !== 1) throw new Error(`clean ferry ${args[0]} exited ${run.code}:\n${run.stderr}`)
  }
}

/** Visible + in flight + delayed messages: 0 means nothing is left to drain, now or after a timeout. */
export async function queueDepth(world: ChaosWorld): Promise<number> {
  const { Attributes = {} } = await world.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: world.queueUrl,
      AttributeNames: [
        'ApproximateNumberOfMessages',
        'ApproximateNumberOfMessagesNotVisible',
        'ApproximateNumberOfMessagesDelayed',
      ],
    }),
  )
  return Object.values(Attributes).reduce((sum, n) => sum + Number(n), 0)
}

/** Collects the world's file-scope quality events; call before `ferry quality` runs. */
export async function watchQuality(
  world: ChaosWorld,
  endpoints: TestEndpoints,
): Promise<{ close: () => Promise<void> }> {
  const bus = new PubSubEventBus({ projectId: endpoints.pubsubProject, apiEndpoint: endpoints.pubsub })
  await bus.ensureTopic(world.topics.quality)
  const name = `chaos-watch-${world.id}`
  const options = { create: true, attributes: { scope: 'file' } }
  const subscription: BusSubscription = await bus.subscribe(world.topics.quality, name, options, async (m) => {
    world.events.push(JSON.parse(m.data.toString('utf8')) as QualityEvent)
  })
  return {
    close: async () => {
      await subscription.close()
      await bus.deleteSubscription(name)
      await bus.close()
    },
  }
}

/**
 * MD5 of every object in the output bucket except Ferry's metrics history (`_ferry/`), which records
 * run ids and timings. Content only: object metadata carries the run and trace ids.
 */
export async function outputDigests(world: ChaosWorld): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for await (const info of world.gcs.list(world.lake, '')) {
    if (info.key.startsWith('_ferry/')) continue
    out.set(
      info.key,
      createHash('md5')
        .update(await world.gcs.get(world.lake, info.key))
        .digest('hex'),
    )
  }
  return out
}

/** Waits until the condition holds or the time is up; the assertions afterwards say what is missing. */
export async function settle(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100))
}
