/**
 * Whether the cloud endpoints a command is about to use answer, checked once at its start with a
 * bound (`network.timeoutMs`), in parallel. The SDKs' own retries and timeouts would otherwise keep
 * a command waiting for minutes and end it with a stack trace; here an unreachable or silent SQS,
 * GCS or Pub/Sub endpoint ends it with one line naming the endpoint, the setting that chose it and
 * the cause. A probe reads only: nothing is received, written, deleted or committed.
 *
 * Reachable is what is probed, not healthy: a server error (HTTP 5xx) is an answer, and the SDKs
 * retry those during the real work. A dropped or refused connection is tried again twice, briefly,
 * so one reset on a flaky network does not end a night the SDK would have carried through.
 */
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs'
import { PubSub } from '@google-cloud/pubsub'
import { Storage } from '@google-cloud/storage'
import type { FerryConfig } from '../config/load.js'
import { type ErrorCode, FerryError } from '../errors.js'

export type Endpoint = 'queue' | 'output' | 'bus'

const GRPC_NOT_FOUND = 5
const GRPC_PERMISSION_DENIED = 7

interface Probe {
  service: string
  code: ErrorCode
  endpoint: string
  setting: string
  check(): Promise<unknown>
}

function rootMessage(err: unknown): string {
  let current: unknown = err
  for (let depth = 0; depth < 5 && current instanceof Error && current.cause instanceof Error; depth++) {
    current = current.cause
  }
  return current instanceof Error ? current.message || current.name : String(current)
}

function probes(config: FerryConfig, which: readonly Endpoint[]): Probe[] {
  const out: Probe[] = []
  if (which.includes('queue') && config.queue.type === 'sqs') {
    out.push({
      service: 'SQS',
      code: 'FERRY_NOTIFICATION',
      endpoint: config.aws.endpoint || config.queue.url,
      setting: 'FERRY_SQS_QUEUE_URL and AWS_ENDPOINT_URL, or queue.url and aws.endpoint in the config file',
      check: () => {
        const client = new SQSClient({
          region: config.aws.region,
          ...(config.aws.endpoint ? { endpoint: config.aws.endpoint } : {}),
          maxAttempts: 1,
        })
        return client
          .send(new GetQueueAttributesCommand({ QueueUrl: config.queue.url, AttributeNames: ['QueueArn'] }))
          .finally(() => client.destroy())
      },
    })
  }
  if (which.includes('output') && config.output.type === 'gcs') {
    out.push({
      service: 'GCS',
      code: 'FERRY_SINK_WRITE',
      endpoint: config.gcs.endpoint || `gs://${config.output.bucket}`,
      setting: 'FERRY_OUTPUT_URL and STORAGE_EMULATOR_HOST, or output.bucket and gcs.endpoint in the config file',
      // no SDK retries: a refused connection is said at once, with its cause
      check: () =>
        new Storage({
          ...(config.gcs.projectId ? { projectId: config.gcs.projectId } : {}),
          ...(config.gcs.endpoint ? { apiEndpoint: config.gcs.endpoint } : {}),
          retryOptions: { autoRetry: false },
        })
          .bucket(config.output.bucket)
          .getFiles({ maxResults: 1, autoPaginate: false, prefix: '\u0000' }),
    })
  }
  if (which.includes('bus') && config.bus.type === 'pubsub') {
    const { projectId, endpoint, topic } = config.bus
    out.push({
      service: 'Pub/Sub',
      code: 'FERRY_PUBSUB',
      endpoint: endpoint || `project ${projectId}`,
      setting: 'FERRY_PUBSUB_PROJECT and PUBSUB_EMULATOR_HOST, or bus.projectId and bus.endpoint in the config file',
      // answered is reachable: a topic not made yet (ensureTopic makes it) or a publisher-only role
      // that may not read topics is not this probe's business
      check: () => {
        const pubsub = new PubSub({ projectId, ...(endpoint ? { apiEndpoint: endpoint } : {}) })
        return pubsub
          .topic(topic)
          .getMetadata({ retry: null, timeout: config.network.timeoutMs })
          .catch((err: { code?: number }) => {
            if (err.code !== GRPC_NOT_FOUND && err.code !== GRPC_PERMISSION_DENIED) throw err
          })
          .finally(() => pubsub.close())
      },
    })
  }
  return out
}

const ATTEMPTS = 3
const RETRY_DELAY_MS = 250

/** An HTTP status the server answered with, from the AWS SDK's or Google's error shape. */
function httpStatus(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  const aws = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode
  if (typeof aws === 'number') return aws
  const google = (err as { code?: unknown; response?: unknown }).code
  return typeof google === 'number' && google >= 100 && google < 600 && 'response' in err ? google : undefined
}

async function attempt(probe: Probe, deadline: number): Promise<void> {
  for (let tried = 1; ; tried++) {
    try {
      await probe.check()
      return
    } catch (err) {
      const status = httpStatus(err)
      if (status !== undefined && status >= 500) return
      if (status !== undefined || tried >= ATTEMPTS || Date.now() + RETRY_DELAY_MS * tried >= deadline) throw err
      await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS * tried))
    }
  }
}

async function run(probe: Probe, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs)
  })
  try {
    await Promise.race([attempt(probe, Date.now() + timeoutMs), late])
  } catch (err) {
    throw new FerryError(
      probe.code,
      `cannot reach ${probe.service} at ${probe.endpoint} (${probe.setting}): ${rootMessage(err)}`,
      {
        cause: err,
        retryable: true,
        context: { service: probe.service, endpoint: probe.endpoint },
      },
    )
  } finally {
    clearTimeout(timer)
  }
}

/** Checks the endpoints in parallel; throws the first failure (FerryError, exit 2). */
export async function probeEndpoints(config: FerryConfig, which: readonly Endpoint[]): Promise<void> {
  await Promise.all(probes(config, which).map((probe) => run(probe, config.network.timeoutMs)))
}
