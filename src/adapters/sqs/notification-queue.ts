import {
  type BatchResultErrorEntry,
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs'
import { FerryError } from '../../errors.js'
import type { NotificationQueue, QueueMessage, ReceiveOptions } from '../../ports.js'
import { sqsError } from './errors.js'

export interface SqsCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

export interface SqsQueueConfig {
  queueUrl: string
  region?: string
  /** e.g. moto or LocalStack; when omitted the SDK still honours AWS_ENDPOINT_URL(_SQS) */
  endpoint?: string
  /** when omitted the SDK's default provider chain is used */
  credentials?: SqsCredentials
}

/** SQS limits: at most 10 messages per receive/batch, at most 20 s of long polling. */
const MAX_BATCH = 10
const MAX_WAIT_SECONDS = 20

export interface DeleteFailure {
  messageId: string
  code: string
  message: string
  senderFault?: boolean
}

/**
 * NotificationQueue on Amazon SQS. Accepts a ready SQSClient (tests, shared clients) or the queue
 * config, in which case it owns the client and `close()` destroys it.
 */
export class SqsNotificationQueue implements NotificationQueue {
  readonly queueUrl: string
  private readonly client: SQSClient
  private readonly ownsClient: boolean

  constructor(client: SQSClient, queueUrl: string)
  constructor(config: SqsQueueConfig)
  constructor(clientOrConfig: SQSClient | SqsQueueConfig, queueUrl?: string) {
    if (isClient(clientOrConfig)) {
      if (!queueUrl) throw new FerryError('FERRY_CONFIG', 'SqsNotificationQueue: queueUrl is required with a client')
      this.client = clientOrConfig
      this.queueUrl = queueUrl
      this.ownsClient = false
    } else {
      const { queueUrl: url, region, endpoint, credentials } = clientOrConfig
      if (!url) throw new FerryError('FERRY_CONFIG', 'SqsNotificationQueue: queueUrl is required')
      this.client = new SQSClient({
        ...(region ? { region } : {}),
        ...(endpoint ? { endpoint } : {}),
        ...(credentials ? { credentials } : {}),
      })
      this.queueUrl = url
      this.ownsClient = true
    }
  }

  async receive(options: ReceiveOptions): Promise<QueueMessage[]> {
    const command = new ReceiveMessageCommand({
      QueueUrl: this.queueUrl,
      MaxNumberOfMessages: clamp(Math.floor(options.maxMessages), 1, MAX_BATCH),
      WaitTimeSeconds: clamp(Math.floor(options.waitSeconds), 0, MAX_WAIT_SECONDS),
      ...(options.visibilityTimeoutSeconds === undefined
        ? {}
        : { VisibilityTimeout: Math.max(0, Math.floor(options.visibilityTimeoutSeconds)) }),
      MessageSystemAttributeNames: ['ApproximateReceiveCount'],
    })
    let messages: Message[]
    try {
      messages = (await this.client.send(command)).Messages ?? []
    } catch (err) {
      throw sqsError(err, 'ReceiveMessage', { queueUrl: this.queueUrl })
    }
    const out: QueueMessage[] = []
    for (const m of messages) {
      if (!m.MessageId || !m.ReceiptHandle) continue
      const count = Number(m.Attributes?.ApproximateReceiveCount)
      out.push({
        id: m.MessageId,
        body: m.Body ?? '',
        receiptHandle: m.ReceiptHandle,
        receiveCount: Number.isFinite(count) && count > 0 ? count : 1,
      })
    }
    return out
  }

  /**
   * DeleteMessageBatch in chunks of 10. Every chunk is attempted; if any entry (or a whole chunk)
   * failed, one retryable FerryError lists them in `context.failed`. Retryable because an
   * undeleted message only comes back after its visibility timeout: retrying the delete, or
   * letting the redelivery be deduplicated, are both safe.
   */
  async delete(messages: QueueMessage[]): Promise<void> {
    const unique = [...new Map(messages.map((m) => [m.receiptHandle, m])).values()]
    const failed: DeleteFailure[] = []
    let firstRequestError: FerryError | undefined
    for (let start = 0; start < unique.length; start += MAX_BATCH) {
      const chunk = unique.slice(start, start + MAX_BATCH)
      try {
        const result = await this.client.send(
          new DeleteMessageBatchCommand({
            QueueUrl: this.queueUrl,
            Entries: chunk.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle })),
          }),
        )
        for (const entry of result.Failed ?? []) failed.push(toFailure(entry, chunk))
      } catch (err) {
        const error = sqsError(err, 'DeleteMessageBatch', { queueUrl: this.queueUrl })
        firstRequestError ??= error
        for (const m of chunk)
          failed.push({ messageId: m.id, code: String(error.context.awsError), message: error.message })
      }
    }
    if (failed.length === 0) return
    const listed = failed
      .slice(0, 10)
      .map((f) => `${f.messageId} (${f.code}: ${f.message})`)
      .join('; ')
    const more = failed.length > 10 ? `; and ${failed.length - 10} more` : ''
    throw new FerryError(
      'FERRY_NOTIFICATION',
      `SQS DeleteMessageBatch: ${failed.length} of ${unique.length} messages not deleted: ${listed}${more}`,
      {
        retryable: firstRequestError ? firstRequestError.retryable : true,
        cause: firstRequestError,
        context: { queueUrl: this.queueUrl, operation: 'DeleteMessageBatch', failed },
      },
    )
  }

  async send(body: string): Promise<void> {
    try {
      await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: body }))
    } catch (err) {
      throw sqsError(err, 'SendMessage', { queueUrl: this.queueUrl })
    }
  }

  /** Destroys the SDK client if this adapter created it. */
  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy()
  }
}

function toFailure(entry: BatchResultErrorEntry, chunk: QueueMessage[]): DeleteFailure {
  const message = chunk[Number(entry.Id)]
  return {
    messageId: message?.id ?? `entry ${entry.Id}`,
    code: entry.Code ?? 'Unknown',
    message: entry.Message ?? 'no message',
    ...(entry.SenderFault === undefined ? {} : { senderFault: entry.SenderFault }),
  }
}

/** instanceof fails when the caller's SDK is another copy of the package; `send` is what is used. */
function isClient(value: SQSClient | SqsQueueConfig): value is SQSClient {
  return value instanceof SQSClient || typeof (value as Partial<SQSClient>).send === 'function'
}

function clamp(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) return min
  return Math.min(max, Math.max(min, value))
}
