import { join } from 'node:path'
import type { FerryConfig } from '../config/load.js'
import { KafkaLedgerStore, type LedgerStore } from '../ledger/store.js'
import type { Logger } from '../ops/logger.js'
import type { EventBus, EventLog, NotificationQueue, ObjectStore } from '../ports.js'
import { GcsObjectStore } from './gcs/object-store.js'
import { KafkaAdmin } from './kafka/admin.js'
import { startEmbeddedBroker } from './kafka/embedded.js'
import { KafkaEventLog } from './kafka/event-log.js'
import { LocalEventBus } from './local/event-bus.js'
import { LocalNotificationQueue } from './local/notification-queue.js'
import { LocalObjectStore } from './local/object-store.js'
import { PubSubEventBus } from './pubsub/event-bus.js'
import { S3ObjectStore } from './s3/object-store.js'
import { SqsNotificationQueue } from './sqs/notification-queue.js'

/** Everything a night talks to, built by the composition root from the config. */
export interface Infrastructure {
  source: ObjectStore
  output: ObjectStore
  queue: NotificationQueue
  bus: EventBus
  log: EventLog
  /** per-file state (ferry.ledger) */
  ledger: LedgerStore
  uri: (store: ObjectStore, bucket: string, key: string) => string
}

export interface OpenInfrastructure extends Infrastructure {
  log: KafkaEventLog
  /** group offsets, topic configs, whole-topic reads (ferry replay, the ledger) */
  admin: KafkaAdmin
  /** stops the clients and, in local mode, the embedded broker */
  close(): Promise<void>
}

function awsClientConfig(config: FerryConfig) {
  return { region: config.aws.region, ...(config.aws.endpoint ? { endpoint: config.aws.endpoint } : {}) }
}

/** The S3 adapter for the config's endpoint and region: the source, and `s3://` URIs in the debug kit. */
export function s3Store(config: FerryConfig): S3ObjectStore {
  return new S3ObjectStore(awsClientConfig(config))
}

/** The GCS adapter for the config's endpoint and project: the output, and `gs://` URIs in the debug kit. */
export function gcsStore(config: FerryConfig): GcsObjectStore {
  return new GcsObjectStore({
    ...(config.gcs.projectId ? { projectId: config.gcs.projectId } : {}),
    ...(config.gcs.endpoint ? { apiEndpoint: config.gcs.endpoint } : {}),
  })
}

/** The local buckets under FERRY_HOME (`<home>/buckets/<bucket>`). */
export function localStore(config: FerryConfig): LocalObjectStore {
  return new LocalObjectStore({ root: join(config.home, 'buckets') })
}

/**
 * The composition root: one adapter per port, chosen by the config. In local mode the embedded
 * broker starts in this process and Kafka is still spoken over loopback, so the code path is the
 * production one. `kafka: false` skips Kafka for commands that only use the bus.
 */
export async function openInfrastructure(
  config: FerryConfig,
  logger: Logger,
  needs: { kafka: boolean } = { kafka: true },
): Promise<OpenInfrastructure> {
  const local = localStore(config)
  const aws = awsClientConfig(config)
  const source: ObjectStore = config.source.type === 's3' ? s3Store(config) : local
  const output: ObjectStore = config.output.type === 'gcs' ? gcsStore(config) : local
  const queue =
    config.queue.type === 'sqs'
      ? new SqsNotificationQueue({ queueUrl: config.queue.url, ...aws })
      : new LocalNotificationQueue(join(config.home, 'queue'))
  const busLogger = logger.child({ component: 'bus' })
  const bus =
    config.bus.type === 'pubsub'
      ? new PubSubEventBus(
          { projectId: config.bus.projectId, ...(config.bus.endpoint ? { apiEndpoint: config.bus.endpoint } : {}) },
          { logger: busLogger },
        )
      : new LocalEventBus(join(config.home, 'events'), { logger: busLogger })

  let brokers = config.kafka.brokers
  const embedded =
    needs.kafka && brokers.length === 0
      ? await startEmbeddedBroker(join(config.home, 'broker'), logger.child({ component: 'broker' }))
      : undefined
  if (embedded) brokers = [embedded.address]
  const kafka = {
    brokers: brokers.length ? brokers : ['127.0.0.1:9'],
    clientId: config.kafka.clientId,
    logger: logger.child({ component: 'kafka' }),
  }
  const log = new KafkaEventLog(kafka)
  const admin = new KafkaAdmin(kafka)
  const ledger = new KafkaLedgerStore({
    log,
    admin,
    topic: config.kafka.topics.ledger,
    partitions: config.kafka.partitions,
    logger: logger.child({ component: 'ledger' }),
  })

  return {
    source,
    output,
    queue,
    bus,
    log,
    admin,
    ledger,
    uri: (store, bucket, key) =>
      // Not path.join: it would resolve a hostile key's `..` and name a real file outside the store.
      store instanceof LocalObjectStore ? `${store.root}/${bucket}/${key}` : `${store.scheme}://${bucket}/${key}`,
    async close() {
      await Promise.allSettled([log.close(), admin.close(), bus.close()])
      await embedded?.close()
    },
  }
}
