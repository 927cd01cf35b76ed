/**
 * The small interfaces Ferry owns for every external system. The pure core and the commands depend
 * only on these; each has a production adapter (SDK) and a local adapter (folders/files) under
 * src/adapters/. Only the methods Ferry calls are declared.
 */

// ---------------------------------------------------------------------------------------------
// Object store: S3 (sources), GCS (outputs), local folders (demo, tests)

export interface ObjectInfo {
  bucket: string
  key: string
  size: number
  /** S3 ETag without quotes, GCS md5 (base64) or the local content hash */
  etag?: string
  versionId?: string
  lastModified?: Date
  metadata?: Record<string, string>
}

export interface ByteRange {
  /** first byte, inclusive */
  start: number
  /** last byte, exclusive */
  end: number
}

export interface PutOptions {
  contentType?: string
  metadata?: Record<string, string>
}

export interface ListOptions {
  /** page size hint; adapters page through everything regardless */
  pageSize?: number
}

export interface ObjectStore {
  /** `s3`, `gs` or `file`: the URL scheme this store answers for */
  readonly scheme: string
  /** Object metadata, or undefined when the object does not exist. */
  head(bucket: string, key: string): Promise<ObjectInfo | undefined>
  /** Whole object, or a byte range of it. Throws FerryError FERRY_SOURCE_READ (not retryable) when missing. */
  get(bucket: string, key: string, range?: ByteRange): Promise<Uint8Array>
  /** Creates or overwrites the object. */
  put(bucket: string, key: string, body: Uint8Array, options?: PutOptions): Promise<ObjectInfo>
  /** Every object under the prefix, in key order, paging as needed. */
  list(bucket: string, prefix: string, options?: ListOptions): AsyncIterable<ObjectInfo>
  /** Deletes the object; deleting a missing object is not an error. */
  delete(bucket: string, key: string): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// Notification queue: SQS (S3 event notifications), local folder

export interface QueueMessage {
  id: string
  body: string
  /** opaque handle needed to delete this delivery */
  receiptHandle: string
  /** how many times the queue delivered it (ApproximateReceiveCount) */
  receiveCount: number
}

export interface ReceiveOptions {
  maxMessages: number
  waitSeconds: number
  visibilityTimeoutSeconds?: number
}

export interface NotificationQueue {
  receive(options: ReceiveOptions): Promise<QueueMessage[]>
  /** Deletes the deliveries; throws if any could not be deleted. */
  delete(messages: QueueMessage[]): Promise<void>
  send(body: string): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// Event bus: Google Pub/Sub (quality events), local JSONL file

export interface BusMessage {
  id: string
  data: Buffer
  attributes: Record<string, string>
  publishTime: Date
}

export interface SubscribeOptions {
  /** only messages whose attributes equal all of these (Pub/Sub subscription filter) */
  attributes?: Record<string, string>
  /** create the subscription if it does not exist */
  create?: boolean
  /**
   * seek the subscription to this time first (Pub/Sub seek): messages published since are delivered
   * (again), as far back as the bus retains them; earlier ones count as acknowledged
   */
  since?: Date
}

export interface BusSubscription {
  /** stops delivery; the subscription itself stays */
  close(): Promise<void>
}

export interface EventBus {
  ensureTopic(topic: string): Promise<void>
  /** Publishes and resolves with the message id once the bus accepted it. */
  publish(topic: string, data: Buffer, attributes: Record<string, string>): Promise<string>
  /** Delivers messages to the handler; a message is acked when the handler resolves, nacked when it throws. */
  subscribe(
    topic: string,
    subscription: string,
    options: SubscribeOptions,
    handler: (message: BusMessage) => Promise<void>,
  ): Promise<BusSubscription>
  deleteSubscription(subscription: string): Promise<void>
  close(): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// Event log: Kafka (real cluster or the embedded broker)

export interface LogRecord {
  key: string | null
  value: Buffer
  headers?: Record<string, string>
}

export interface ConsumedRecord {
  topic: string
  partition: number
  offset: string
  key: string | null
  value: Buffer
  headers: Record<string, string>
  timestamp: string
}

export interface ConsumeOptions {
  groupId: string
  topic: string
  /** return once the whole group has no lag and nothing arrived for idleMs; otherwise run until aborted */
  untilIdle?: { idleMs: number }
  signal?: AbortSignal
  /**
   * Called once per record, in order per partition; the offset is committed after it resolves.
   * A throw stops consumption without committing, and consume() rejects with that error.
   */
  handler: (record: ConsumedRecord) => Promise<void>
  /** called each time this consumer has joined the group with its partitions (again after a rebalance) */
  onJoined?: () => void
}

export interface TopicSpec {
  name: string
  partitions: number
}

export interface EventLog {
  ensureTopics(topics: TopicSpec[]): Promise<void>
  /** Resolves once every record is acknowledged by all in-sync replicas (acks=-1). */
  produce(topic: string, records: LogRecord[]): Promise<void>
  consume(options: ConsumeOptions): Promise<void>
  close(): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// Alert sink: Slack incoming webhook, generic JSON webhook. One Alert is one message, already
// grouped and capped (src/ops/alerts/group.ts), so a sink only renders and delivers it.

export interface Alert {
  severity: 'warn' | 'fail'
  title: string
  runId: string
  /** absent for failures of the night itself (nothing arrived, the run crashed) */
  dataset?: string
  items: AlertItem[]
  links?: Array<{ label: string; url: string }>
  /** failing files per check that `items` leaves out, so a bad night stays a short message */
  omitted?: Record<string, number>
  /** lines for people, e.g. how many alerts the per-run cap suppressed */
  notes?: string[]
}

export interface AlertItem {
  /** source object, `bucket/key`; `(night)` for night-level failures */
  key: string
  check: string
  observed: string
  threshold: string
  message: string
  output?: string | null
  quarantine?: string | null
}

export interface AlertSink {
  /** Delivers one alert; throws a FerryError whose message never contains the sink's secret URL. */
  send(alert: Alert): Promise<void>
}
