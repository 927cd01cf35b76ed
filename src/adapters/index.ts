import { join } from 'node:path'
import type { FerryConfig } from '../config/load.js'
import { KafkaLedgerStore, type LedgerStore } from '../ledger/store.js'
import type { Logger } from '../ops/logger.js'
import type { EventBus, EventLog, NotificationQueue, ObjectStore } from '../ports.js'
import { KafkaAdmin } from './kafka/admin.js'
import { startEmbeddedBroker } from './kafka/embedded.js'
import { KafkaEventLog } from './kafka/event-log.js'
import { LocalEventBus } from './local/event-bus.js'
import { LocalNotificationQueue } from './local/notification-queue.js'
import { LocalObjectStore } from './local/object-store.js'
import { localObjectUri } from './object-uri.js'
import { type Endpoint, probeEndpoints } from './probes.js'
import { PubSubEventBus } from './pubsub/event-bus.js'
import { SqsNotificationQueue } from './sqs/notification-queue.js'
import { awsClientConfig, gcsStore, localStore, s3Store } from './stores.js'

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

/**
 * The composition root: one adapter per port, chosen by the config. In local mode the embedded
 * broker starts in this process and Kafka is still spoken over loopback, so the code path is the
 * production one. `kafka: false` skips Kafka for commands that only use the bus. Kafka (when not
 * embedded) and the cloud endpoints the command names in `endpoints` are probed first (probes.ts):
 * one that does not answer ends the command within `network.timeoutMs`, naming its setting.
 */
export async function openInfrastructure(
  config: FerryConfig,
  logger: Logger,
  needs: { kafka: boolean; endpoints?: readonly Endpoint[] } = { kafka: true },
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
    needs.kafka && brokers.length === 0 ? await startEmbeddedBroker(join(config.home, 'broker'), logger) : undefined
  if (embedded) brokers = [embedded.address]
  const kafka = {
    brokers: brokers.length ? brokers : ['127.0.0.1:9'],
    clientId: config.kafka.clientId,
    logger: logger.child({ component: 'kafka' }),
  }
  const log = new KafkaEventLog(kafka)
  const admin = new KafkaAdmin(kafka)
  // a cluster that does not answer ends the command at once, naming the setting, instead of after
  // kafkajs's retries (a minute of chatter) with a stack trace
  if ((needs.kafka && !embedded) || needs.endpoints?.length) {
    try {
      await Promise.all([
        needs.kafka && !embedded
          ? admin.probe(config.network.timeoutMs, 'FERRY_KAFKA_BROKERS, or kafka.brokers in the config file')
          : undefined,
        probeEndpoints(config, needs.endpoints ?? []),
      ])
    } catch (err) {
      await Promise.allSettled([log.close(), admin.close(), bus.close(), embedded?.close()])
      throw err
    }
  }
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
      store instanceof LocalObjectStore
        ? localObjectUri(store.root, bucket, key)
        : `${store.scheme}://${bucket}/${key}`,
    async close() {
      await Promise.allSettled([log.close(), admin.close(), bus.close()])
      await embedded?.close()
    },
  }
}
