import { PutObjectCommand } from '@aws-sdk/client-s3'
import { type OpenInfrastructure, openInfrastructure } from '../../../src/adapters/index.js'
import { PubSubEventBus } from '../../../src/adapters/pubsub/event-bus.js'
import { runNight } from '../../../src/app/night.js'
import { type FerryConfig, loadConfig } from '../../../src/config/load.js'
import type { Row } from '../../../src/core/dataset.js'
import type { DatasetSpec } from '../../../src/core/dataset-spec.js'
import { writeParquet } from '../../../src/core/formats/parquet.js'
import type { NightQualityEvent, QualityEvent, QualityMessage } from '../../../src/core/messages.js'
import { ORDER_INPUT_COLUMNS, orderRows, seededRandom } from '../../../src/core/sample-orders.js'
import { createLogger } from '../../../src/ops/logger.js'
import { type NightSummary, newRunId } from '../../../src/ops/night.js'
import type { BusSubscription } from '../../../src/ports.js'
import type { TestEndpoints } from '../../support/endpoints.js'
import { createWorld, type FerryWorld } from '../../support/ferry-env.js'

export interface Published {
  event: QualityMessage
  attributes: Record<string, string>
}

/**
 * A Ferry world (moto S3+SQS with a real bucket notification, embedded Kafka, GCS test server,
 * Pub/Sub emulator) opened the way `ferry nightly` opens it, with a subscription that collects every
 * quality event published on the world's topic.
 */
export interface QualityWorld {
  world: FerryWorld
  config: FerryConfig
  infra: OpenInfrastructure
  published: Published[]
  close(): Promise<void>
}

export async function openQualityWorld(endpoints: TestEndpoints): Promise<QualityWorld> {
  const world = await createWorld(endpoints)
  const config = loadConfig({ env: world.env, cwd: world.home })
  const logger = createLogger({ level: 'silent' })
  const infra = await openInfrastructure(config, logger)
  const bus = new PubSubEventBus({ projectId: endpoints.pubsubProject, apiEndpoint: endpoints.pubsub })
  await bus.ensureTopic(world.topics.quality)
  const published: Published[] = []
  const subscription: BusSubscription = await bus.subscribe(
    world.topics.quality,
    `watch-${world.id}`,
    { create: true },
    async (m) => {
      published.push({ event: JSON.parse(m.data.toString('utf8')) as QualityMessage, attributes: m.attributes })
    },
  )
  return {
    world,
    config,
    infra,
    published,
    async close() {
      await subscription.close()
      await bus.deleteSubscription(`watch-${world.id}`)
      await bus.close()
      await infra.close()
    },
  }
}

/** Uploads to the landing bucket: moto sends the S3 notification to the world's queue. */
export async function upload(q: QualityWorld, key: string, bytes: Uint8Array): Promise<void> {
  await q.world.s3.send(new PutObjectCommand({ Bucket: q.world.landing, Key: key, Body: bytes }))
}

/** `ferry nightly`'s core, with the datasets under test. */
export async function night(q: QualityWorld, datasets: DatasetSpec[]): Promise<NightSummary> {
  const app = {
    config: q.config,
    logger: createLogger({ level: 'silent' }),
    project: { datasetsDir: undefined, datasets },
    cwd: q.world.home,
  }
  return runNight(app, q.infra, {
    runId: newRunId(),
    waitSeconds: 1,
    emptyReceives: 1,
  })
}

/** Valid orders export rows (the orders input columns), numbered from `first`. */
export function orders(count: number, first = 1, seed = 1): Row[] {
  const from = Date.now() - 6 * 3_600_000
  return orderRows(seededRandom(seed), { count, from, to: from + 3_600_000, firstOrderNumber: first })
}

export function ordersFile(rows: Row[]): Uint8Array {
  return writeParquet(ORDER_INPUT_COLUMNS, rows)
}

export const fileEvents = (published: Published[]) =>
  published.filter((p) => p.event.scope === 'file').map((p) => p.event as QualityEvent)

export const nightEvents = (published: Published[]) =>
  published.filter((p) => p.event.scope === 'night').map((p) => p.event as NightQualityEvent)

/** Polls until the condition holds: Pub/Sub delivers asynchronously. */
export async function waitFor(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for condition')
    await new Promise((r) => setTimeout(r, 100))
  }
}
