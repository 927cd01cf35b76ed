import { randomBytes } from 'node:crypto'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { CreateBucketCommand, PutBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3'
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs'
import { Storage } from '@google-cloud/storage'
import { Exit } from '../../src/cli/command.js'
import { main } from '../../src/cli/main.js'
import { EXAMPLE_DATASETS } from './datasets.js'
import type { TestEndpoints } from './endpoints.js'

export const AWS = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }

/** The AWS SDK's default credential chain reads the process environment; moto accepts anything. */
export function useTestAwsCredentials(): void {
  process.env.AWS_ACCESS_KEY_ID = 'test'
  process.env.AWS_SECRET_ACCESS_KEY = 'test'
  process.env.AWS_REGION = 'us-east-1'
}

export interface FerryWorld {
  id: string
  env: NodeJS.ProcessEnv
  home: string
  landing: string
  lake: string
  queueUrl: string
  topics: { objects: string; results: string; dlq: string; quality: string }
  s3: S3Client
}

/**
 * A fresh, isolated Ferry installation on the shared local servers: its own S3 bucket wired to its
 * own SQS queue by a real bucket notification, GCS bucket, Kafka topics, groups and Pub/Sub topic.
 */
export async function createWorld(endpoints: TestEndpoints): Promise<FerryWorld> {
  useTestAwsCredentials()
  const id = randomBytes(4).toString('hex')
  const landing = `landing-${id}`
  const lake = `lake-${id}`
  const s3 = new S3Client({ ...AWS, endpoint: endpoints.aws, forcePathStyle: true })
  const sqs = new SQSClient({ ...AWS, endpoint: endpoints.aws })
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: `ferry-${id}` }))
  const queueUrl = queue.QueueUrl ?? ''
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
  await s3.send(new CreateBucketCommand({ Bucket: landing }))
  await s3.send(
    new PutBucketNotificationConfigurationCommand({
      Bucket: landing,
      NotificationConfiguration: {
        QueueConfigurations: [{ QueueArn: attrs.Attributes?.QueueArn, Events: ['s3:ObjectCreated:*'] }],
      },
    }),
  )
  await new Storage({ apiEndpoint: endpoints.gcs, projectId: 'ferry-test' }).createBucket(lake)
  const topics = {
    objects: `ferry.objects.${id}`,
    results: `ferry.results.${id}`,
    dlq: `ferry.dlq.${id}`,
    quality: `ferry-quality-${id}`,
  }
  const home = mkdtempSync(join(tmpdir(), 'ferry-world-'))
  writeFileSync(
    join(home, 'ferry.config.json'),
    JSON.stringify({
      kafka: {
        partitions: 4,
        topics: { objects: topics.objects, results: topics.results, dlq: topics.dlq },
        groups: { work: `ferry-work-${id}`, quality: `ferry-quality-${id}` },
      },
      bus: { topic: topics.quality },
      work: { maxAttempts: 2, retryBaseMs: 50, idleMs: 500 },
      log: { level: 'warn' },
    }),
  )
  const env: NodeJS.ProcessEnv = {
    FERRY_CONFIG: join(home, 'ferry.config.json'),
    FERRY_DATASETS: EXAMPLE_DATASETS,
    FERRY_HOME: home,
    FERRY_KAFKA_BROKERS: endpoints.kafka,
    FERRY_SQS_QUEUE_URL: queueUrl,
    AWS_ENDPOINT_URL: endpoints.aws,
    AWS_REGION: 'us-east-1',
    FERRY_OUTPUT_URL: `gs://${lake}`,
    STORAGE_EMULATOR_HOST: endpoints.gcs,
    GOOGLE_CLOUD_PROJECT: 'ferry-test',
    FERRY_PUBSUB_PROJECT: endpoints.pubsubProject,
    PUBSUB_EMULATOR_HOST: endpoints.pubsub,
  }
  return { id, env, home, landing, lake, queueUrl, topics, s3 }
}

export interface CliRun {
  code: number
  out: string[]
  err: string[]
}

/** Runs a ferry command in-process, as the bin would, with the world's environment. */
export async function ferry(world: FerryWorld, argv: string[], signal?: AbortSignal): Promise<CliRun> {
  const out: string[] = []
  const err: string[] = []
  const code = await main(argv, {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    env: world.env,
    cwd: world.home,
    signal: signal ?? new AbortController().signal,
  })
  return { code, out, err }
}

export { Exit }
