import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs'
import { HttpTap, jsonBody, type TapRequest } from './http-tap.js'

/** One SQS message as the proxy saw it delivered. */
export interface SeenMessage {
  messageId: string
  receiptHandle: string
  body: string
}

/** Hooks by SQS action (`ReceiveMessage`, `DeleteMessageBatch`...) with parsed JSON bodies. */
export interface SqsProxyHooks {
  /** 'drop': the request is never sent; the client's connection is destroyed */
  beforeRequest?: (action: string, body: Record<string, unknown>) => Promise<'forward' | 'drop'> | 'forward' | 'drop'
  /** 'drop': the queue did the work, the client never gets the answer */
  beforeResponse?: (action: string, response: Record<string, unknown>) => 'forward' | 'drop'
  afterResponse?: (action: string, response: Record<string, unknown>) => void
}

/**
 * An HttpTap in front of moto's SQS (AWS JSON protocol) that keeps track of the leases: messages a
 * ReceiveMessage handed out and no successful DeleteMessageBatch removed. After the client is
 * SIGKILLed those leases would only expire after the drain's 120 s visibility timeout;
 * `releaseLeases` ends them at once (ChangeMessageVisibility 0), which is what the timeout does,
 * only sooner.
 */
export class SqsProxy {
  hooks: SqsProxyHooks = {}
  /** receipt handle -> message: delivered and not (yet) deleted */
  readonly leases = new Map<string, SeenMessage>()
  private readonly tap: HttpTap

  private constructor(tap: HttpTap) {
    this.tap = tap
    tap.hooks = {
      beforeRequest: async (req) => {
        const action = actionOf(req)
        return action ? ((await this.hooks.beforeRequest?.(action, jsonBody(req.body))) ?? 'forward') : 'forward'
      },
      beforeResponse: (req, res) => {
        const action = actionOf(req)
        if (!action || res.status >= 300) return 'forward'
        const response = jsonBody(res.body)
        if (action === 'ReceiveMessage') for (const m of messagesOf(response)) this.leases.set(m.receiptHandle, m)
        if (action === 'DeleteMessageBatch') this.deleted(jsonBody(req.body), response)
        return this.hooks.beforeResponse?.(action, response) ?? 'forward'
      },
      afterResponse: (req, res) => {
        const action = actionOf(req)
        if (action && res.status < 300) this.hooks.afterResponse?.(action, jsonBody(res.body))
      },
    }
  }

  static async start(upstream: string): Promise<SqsProxy> {
    return new SqsProxy(await HttpTap.start(upstream))
  }

  get url(): string {
    return this.tap.url
  }

  /** Makes every leased message visible again at once; handles the queue no longer knows are ignored. */
  async releaseLeases(sqs: SQSClient, queueUrl: string): Promise<number> {
    await this.tap.idle()
    const handles = [...this.leases.keys()]
    this.leases.clear()
    let released = 0
    for (let start = 0; start < handles.length; start += 10) {
      const chunk = handles.slice(start, start + 10)
      const result = await sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: queueUrl,
          Entries: chunk.map((ReceiptHandle, i) => ({ Id: String(i), ReceiptHandle, VisibilityTimeout: 0 })),
        }),
      )
      released += result.Successful?.length ?? 0
    }
    return released
  }

  close(): Promise<void> {
    return this.tap.close()
  }

  private deleted(request: Record<string, unknown>, response: Record<string, unknown>): void {
    const entries = (request.Entries ?? []) as Array<{ Id: string; ReceiptHandle: string }>
    const ok = new Set(((response.Successful ?? []) as Array<{ Id: string }>).map((s) => s.Id))
    for (const entry of entries) if (ok.has(entry.Id)) this.leases.delete(entry.ReceiptHandle)
  }
}

/** The messages of a ReceiveMessage response. */
export function messagesOf(response: Record<string, unknown>): SeenMessage[] {
  const messages = (response.Messages ?? []) as Array<{ MessageId?: string; ReceiptHandle?: string; Body?: string }>
  return messages.flatMap((m) =>
    m.MessageId && m.ReceiptHandle
      ? [{ messageId: m.MessageId, receiptHandle: m.ReceiptHandle, body: m.Body ?? '' }]
      : [],
  )
}

function actionOf(req: TapRequest): string {
  const target = String(req.headers['x-amz-target'] ?? '')
  return target.startsWith('AmazonSQS.') ? target.slice('AmazonSQS.'.length) : ''
}
