import { Duration, type Message, PubSub, type Subscription, type Topic } from '@google-cloud/pubsub'
import { FerryError } from '../../errors.js'
import type { Logger } from '../../ops/logger.js'
import type { BusMessage, BusSubscription, EventBus, SubscribeOptions } from '../../ports.js'
import { GrpcStatus, grpcCode, pubsubError } from './errors.js'
import { attributeFilter } from './filter.js'

export interface PubSubBusConfig {
  projectId: string
  /**
   * host:port of the API; a host not ending in .googleapis.com is taken for an emulator (plain
   * gRPC, no credentials). When omitted the SDK honours PUBSUB_EMULATOR_HOST.
   */
  apiEndpoint?: string
}

const GOOGLE_HOST = /^(https?:\/\/)?[^/:]*\.googleapis\.com(:\d+)?\/*$/

export interface PubSubBusOptions {
  /** stream and handler errors are logged here; without one they are dropped */
  logger?: Logger
  /** messages a subscription holds at once (flow control) */
  maxInFlight?: number
  /** how long `BusSubscription.close()` waits for running handlers before nacking */
  closeTimeoutSeconds?: number
}

/**
 * EventBus on Google Cloud Pub/Sub. Accepts a ready PubSub client (left open by `close()`) or the
 * config, in which case `close()` closes the client it made.
 */
export class PubSubEventBus implements EventBus {
  private readonly pubsub: PubSub
  private readonly ownsClient: boolean
  private readonly options: PubSubBusOptions
  private readonly topics = new Map<string, Topic>()
  private readonly subscriptions = new Set<PubSubSubscription>()

  constructor(client: PubSub, options?: PubSubBusOptions)
  constructor(config: PubSubBusConfig, options?: PubSubBusOptions)
  constructor(clientOrConfig: PubSub | PubSubBusConfig, options: PubSubBusOptions = {}) {
    this.options = options
    // instanceof fails when the caller's client comes from another copy of the package.
    if (clientOrConfig instanceof PubSub || typeof (clientOrConfig as Partial<PubSub>).topic === 'function') {
      this.pubsub = clientOrConfig as PubSub
      this.ownsClient = false
    } else {
      const { projectId, apiEndpoint } = clientOrConfig as PubSubBusConfig
      const emulator = !!apiEndpoint && !GOOGLE_HOST.test(apiEndpoint)
      this.pubsub = new PubSub({
        projectId,
        ...(apiEndpoint ? { apiEndpoint } : {}),
        // For an emulator, say so and name the universe: otherwise the client still looks for
        // Google credentials (probing the GCE metadata server) before its first call.
        ...(emulator ? { emulatorMode: true, universeDomain: 'googleapis.com' } : {}),
      })
      this.ownsClient = true
    }
  }

  async ensureTopic(topic: string): Promise<void> {
    try {
      await this.pubsub.createTopic(topic)
    } catch (err) {
      if (grpcCode(err) !== GrpcStatus.ALREADY_EXISTS) throw pubsubError(err, 'createTopic', { topic })
    }
  }

  async publish(topic: string, data: Buffer, attributes: Record<string, string>): Promise<string> {
    try {
      return await this.topic(topic).publishMessage({ data, attributes })
    } catch (err) {
      throw pubsubError(err, 'publish', { topic })
    }
  }

  async subscribe(
    topic: string,
    subscription: string,
    options: SubscribeOptions,
    handler: (message: BusMessage) => Promise<void>,
  ): Promise<BusSubscription> {
    const context = { topic, subscription }
    if (options.create) {
      const filter = attributeFilter(options.attributes)
      try {
        // Retaining acknowledged messages (for the subscription's retention, 7 days by default) is
        // what lets a later `since` seek back over what was already delivered.
        await this.pubsub.createSubscription(topic, subscription, {
          ...(filter ? { filter } : {}),
          retainAckedMessages: true,
        })
      } catch (err) {
        // An existing subscription is reused as it is: Pub/Sub filters cannot be changed.
        if (grpcCode(err) !== GrpcStatus.ALREADY_EXISTS) throw pubsubError(err, 'createSubscription', context)
      }
    } else {
      let exists: boolean
      try {
        ;[exists] = await this.pubsub.subscription(subscription).exists()
      } catch (err) {
        throw pubsubError(err, 'getSubscription', context)
      }
      if (!exists) {
        throw new FerryError('FERRY_PUBSUB', `Pub/Sub subscription ${subscription} does not exist`, { context })
      }
    }
    if (options.since) {
      try {
        await this.pubsub.subscription(subscription).seek(options.since)
      } catch (err) {
        throw pubsubError(err, 'seek', context)
      }
    }
    const sub = this.pubsub.subscription(subscription, {
      flowControl: { maxMessages: this.options.maxInFlight ?? 100, allowExcessMessages: false },
      closeOptions: {
        behavior: 'WAIT',
        timeout: Duration.from({ seconds: this.options.closeTimeoutSeconds ?? 10 }),
      },
    })
    const handle = new PubSubSubscription(
      sub,
      handler,
      options.attributes ?? {},
      this.options.logger?.child({ ...context }),
      () => this.subscriptions.delete(handle),
    )
    this.subscriptions.add(handle)
    return handle
  }

  async deleteSubscription(subscription: string): Promise<void> {
    try {
      await this.pubsub.subscription(subscription).delete()
    } catch (err) {
      if (grpcCode(err) !== GrpcStatus.NOT_FOUND) throw pubsubError(err, 'deleteSubscription', { subscription })
    }
  }

  /** Stops the subscriptions opened here, flushes pending publishes and closes a client it made. */
  async close(): Promise<void> {
    await Promise.allSettled([...this.subscriptions].map((s) => s.close()))
    const flushed = await Promise.allSettled([...this.topics.values()].map((t) => t.flush()))
    this.topics.clear()
    if (this.ownsClient) await this.pubsub.close()
    const failed = flushed.find((r): r is PromiseRejectedResult => r.status === 'rejected')
    if (failed) throw pubsubError(failed.reason, 'flush')
  }

  /** Topics are cached so publishes batch through one publisher per topic. */
  private topic(name: string): Topic {
    let topic = this.topics.get(name)
    if (!topic) {
      topic = this.pubsub.topic(name)
      this.topics.set(name, topic)
    }
    return topic
  }
}

class PubSubSubscription implements BusSubscription {
  private closing: Promise<void> | undefined
  private readonly sub: Subscription
  private readonly handler: (message: BusMessage) => Promise<void>
  private readonly filter: Record<string, string>
  private readonly logger: Logger | undefined
  private readonly onClose: () => void

  constructor(
    sub: Subscription,
    handler: (message: BusMessage) => Promise<void>,
    filter: Record<string, string>,
    logger: Logger | undefined,
    onClose: () => void,
  ) {
    this.sub = sub
    this.handler = handler
    this.filter = filter
    this.logger = logger
    this.onClose = onClose
    sub.on('message', (message: Message) => {
      void this.dispatch(message)
    })
    // Without an 'error' listener the EventEmitter would throw; the client retries transient
    // stream errors itself and closes the stream on fatal ones (e.g. the subscription was deleted).
    sub.on('error', (err: unknown) => {
      this.logger?.error({ err }, 'Pub/Sub subscription stream error')
    })
  }

  private async dispatch(message: Message): Promise<void> {
    // The subscription filter does this server-side on Pub/Sub. Checking again here covers the
    // emulator, which stores filters but does not apply them, and a reused subscription created
    // with another filter. A filtered-out message is acked, as Pub/Sub does.
    const attributes = message.attributes ?? {}
    if (!Object.entries(this.filter).every(([k, v]) => Object.hasOwn(attributes, k) && attributes[k] === v)) {
      message.ack()
      return
    }
    let busMessage: BusMessage
    try {
      busMessage = {
        id: message.id,
        data: message.data,
        attributes: { ...(message.attributes ?? {}) },
        publishTime: new Date(message.publishTime.getTime()),
      }
      await this.handler(busMessage)
    } catch (err) {
      this.logger?.warn({ err, messageId: message.id }, 'handler failed; message nacked')
      message.nack()
      return
    }
    message.ack()
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.sub.close()
      } catch (err) {
        throw pubsubError(err, 'closeSubscription', { subscription: this.sub.name })
      } finally {
        this.sub.removeAllListeners()
        this.onClose()
      }
    })()
    return this.closing
  }
}
