import { randomUUID } from 'node:crypto'
import { mkdir, open, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { errorMessage, FerryError } from '../../errors.js'
import type { Logger } from '../../ops/logger.js'
import type { BusMessage, BusSubscription, EventBus, SubscribeOptions } from '../../ports.js'

export interface LocalBusOptions {
  pollIntervalMs?: number
  /** cap on the redelivery delay after a handler failure */
  maxRedeliveryDelayMs?: number
  /** how long `BusSubscription.close()` waits for a running handler */
  closeTimeoutMs?: number
  logger?: Logger
}

interface StoredLine {
  id: string
  publishTime: string
  attributes: Record<string, string>
  data: string
}

interface SubscriptionState {
  topic: string
  attributes: Record<string, string>
  position: number
  createdAt: string
}

/** Pub/Sub resource names: a letter, then letters, digits and - _ . ~ + %; 3 to 255 characters. */
const NAME = /^[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/
const FIRST_READ_BYTES = 1024 * 1024
const MAX_LINE_BYTES = 64 * 1024 * 1024

/**
 * EventBus on local files, for the demo and tests:
 *
 *   <root>/<topic>.jsonl                 one line per message:
 *                                        {"id","publishTime","attributes","data"}, where `data` is
 *                                        the payload in base64 (payloads are bytes, not always text)
 *   <root>/subscriptions/<name>.json     {"topic","attributes","position","createdAt"}: the filter
 *                                        and the byte offset of the first line not yet acked
 *
 * Publishing appends one line with a single write to a file opened O_APPEND, so concurrent
 * publishers never interleave lines. A subscription polls its topic file from its position and
 * delivers, one at a time and in order, the complete lines whose attributes match its filter
 * (others are skipped, as Pub/Sub auto-acks filtered messages). When the handler resolves the
 * position moves past the line (written atomically), so an acked line is never delivered to that
 * subscription again, across restarts too. When it throws, the same line is redelivered after a
 * growing delay; later lines wait behind it (in-order delivery, unlike Pub/Sub). Like Pub/Sub, a
 * new subscription starts at the end of the topic. One consumer per subscription at a time.
 */
export class LocalEventBus implements EventBus {
  readonly root: string
  private readonly options: Required<Omit<LocalBusOptions, 'logger'>> & { logger?: Logger }
  private readonly subscriptions = new Set<LocalSubscription>()

  constructor(root: string, options: LocalBusOptions = {}) {
    this.root = root
    this.options = {
      pollIntervalMs: options.pollIntervalMs ?? 100,
      maxRedeliveryDelayMs: options.maxRedeliveryDelayMs ?? 5000,
      closeTimeoutMs: options.closeTimeoutMs ?? 10_000,
      ...(options.logger ? { logger: options.logger } : {}),
    }
  }

  async ensureTopic(topic: string): Promise<void> {
    const path = this.topicPath(topic)
    await this.io('ensureTopic', { topic }, async () => {
      await mkdir(this.root, { recursive: true })
      await (await open(path, 'a')).close()
    })
  }

  async publish(topic: string, data: Buffer, attributes: Record<string, string>): Promise<string> {
    const path = this.topicPath(topic)
    if (!(await exists(path))) throw notFound('topic', topic)
    const line: StoredLine = {
      id: randomUUID(),
      publishTime: new Date().toISOString(),
      attributes: { ...attributes },
      data: data.toString('base64'),
    }
    const bytes = Buffer.from(`${JSON.stringify(line)}\n`)
    await this.io('publish', { topic }, async () => {
      const file = await open(path, 'a')
      try {
        const { bytesWritten } = await file.write(bytes)
        if (bytesWritten !== bytes.length) throw new Error(`short write: ${bytesWritten} of ${bytes.length} bytes`)
      } finally {
        await file.close()
      }
    })
    return line.id
  }

  async subscribe(
    topic: string,
    subscription: string,
    options: SubscribeOptions,
    handler: (message: BusMessage) => Promise<void>,
  ): Promise<BusSubscription> {
    const topicPath = this.topicPath(topic)
    const statePath = this.subscriptionPath(subscription)
    let state = await readState(statePath)
    if (!state) {
      if (!options.create) throw notFound('subscription', subscription)
      const size = await stat(topicPath).then(
        (s) => s.size,
        () => undefined,
      )
      if (size === undefined) throw notFound('topic', topic)
      const fresh: SubscriptionState = {
        topic,
        attributes: { ...(options.attributes ?? {}) },
        position: size,
        createdAt: new Date().toISOString(),
      }
      await this.io('createSubscription', { subscription }, async () => {
        await mkdir(join(this.root, 'subscriptions'), { recursive: true })
        // 'wx': if another process created it first, theirs wins and is read back below.
        await writeFile(statePath, JSON.stringify(fresh), { flag: 'wx' }).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'EEXIST') throw err
        })
      })
      state = await readState(statePath)
      if (!state) throw notFound('subscription', subscription)
    }
    if (state.topic !== topic) {
      throw new FerryError(
        'FERRY_PUBSUB',
        `subscription ${subscription} belongs to topic ${state.topic}, not ${topic}`,
        {
          context: { subscription, topic },
        },
      )
    }
    const since = options.since
    if (since) {
      // Seek: the file keeps every line, so any time can be replayed, acked lines included.
      const seeked: SubscriptionState = { ...state, position: await positionAt(topicPath, since) }
      await this.io('seek', { subscription }, async () => {
        const tmp = `${statePath}.${randomUUID()}.tmp`
        await writeFile(tmp, JSON.stringify(seeked))
        await rename(tmp, statePath)
      })
    }
    const sub = new LocalSubscription(topicPath, statePath, handler, this.options, () => this.subscriptions.delete(sub))
    this.subscriptions.add(sub)
    return sub
  }

  async deleteSubscription(subscription: string): Promise<void> {
    const path = this.subscriptionPath(subscription)
    await this.io('deleteSubscription', { subscription }, () => unlink(path).catch(ignoreMissing))
  }

  async close(): Promise<void> {
    await Promise.all([...this.subscriptions].map((s) => s.close()))
  }

  private topicPath(topic: string): string {
    return join(this.root, `${checkName('topic', topic)}.jsonl`)
  }

  private subscriptionPath(subscription: string): string {
    return join(this.root, 'subscriptions', `${checkName('subscription', subscription)}.json`)
  }

  private async io<T>(operation: string, context: Record<string, string>, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      throw new FerryError('FERRY_PUBSUB', `local bus ${operation} failed under ${this.root}: ${errorMessage(err)}`, {
        cause: err,
        retryable: true,
        context: { ...context, operation, root: this.root },
      })
    }
  }
}

class LocalSubscription implements BusSubscription {
  private closed = false
  private wake: (() => void) | undefined
  private readonly done: Promise<void>
  private readonly topicPath: string
  private readonly statePath: string
  private readonly handler: (message: BusMessage) => Promise<void>
  private readonly options: LocalEventBus['options']
  private readonly onClose: () => void

  constructor(
    topicPath: string,
    statePath: string,
    handler: (message: BusMessage) => Promise<void>,
    options: LocalEventBus['options'],
    onClose: () => void,
  ) {
    this.topicPath = topicPath
    this.statePath = statePath
    this.handler = handler
    this.options = options
    this.onClose = onClose
    this.done = this.run().catch((err) => {
      this.options.logger?.error({ err, subscription: statePath }, 'local bus subscription stopped')
    })
  }

  async close(): Promise<void> {
    this.closed = true
    this.wake?.()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, this.options.closeTimeoutMs)
    })
    await Promise.race([this.done, timeout])
    clearTimeout(timer)
    this.onClose()
  }

  private async run(): Promise<void> {
    let failures = 0
    while (!this.closed) {
      let outcome: 'idle' | 'progress' | 'nacked' | 'deleted'
      try {
        outcome = await this.pass()
      } catch (err) {
        // A file-system error (or a corrupt subscription file): log it and try again later.
        this.options.logger?.error({ err, subscription: this.statePath }, 'local bus subscription error')
        outcome = 'nacked'
      }
      if (outcome === 'deleted') return
      if (outcome === 'idle') await this.sleep(this.options.pollIntervalMs)
      failures = outcome === 'nacked' ? failures + 1 : 0
      if (failures > 0) await this.sleep(Math.min(this.options.maxRedeliveryDelayMs, 50 * 2 ** Math.min(failures, 16)))
    }
  }

  /** Delivers the lines available now; stops at the first handler failure. */
  private async pass(): Promise<'idle' | 'progress' | 'nacked' | 'deleted'> {
    const state = await readState(this.statePath)
    if (!state) return 'deleted'
    const size = await stat(this.topicPath).then(
      (s) => s.size,
      () => 0,
    )
    if (state.position > size) {
      this.options.logger?.warn({ topic: this.topicPath }, 'topic file shrank; reading it from the start')
      state.position = 0
    }
    const lines = size > state.position ? await readLines(this.topicPath, state.position) : []
    if (lines.length === 0) return 'idle'
    let position = state.position
    let nacked = false
    for (const { text, end } of lines) {
      if (this.closed) break
      const message = decodeLine(text)
      if (message && matches(message.attributes, state.attributes)) {
        try {
          await this.handler(message)
        } catch (err) {
          this.options.logger?.warn({ err, messageId: message.id }, 'handler failed; redelivering')
          nacked = true
          break
        }
        position = end
        await this.ack(state, position)
        continue
      }
      if (!message) this.options.logger?.warn({ topic: this.topicPath, offset: position }, 'skipping a malformed line')
      position = end
    }
    if (position !== state.position) await this.ack(state, position)
    return nacked ? 'nacked' : 'progress'
  }

  /** Stores the new position, unless the subscription was deleted meanwhile. */
  private async ack(state: SubscriptionState, position: number): Promise<void> {
    state.position = position
    if (!(await exists(this.statePath))) return
    const tmp = `${this.statePath}.${randomUUID()}.tmp`
    await writeFile(tmp, JSON.stringify(state))
    await rename(tmp, this.statePath)
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms)
      function done() {
        clearTimeout(timer)
        resolve()
      }
      this.wake = done
    })
  }
}

/** Complete lines from `position` on, each with the byte offset just after its newline. */
async function readLines(path: string, position: number): Promise<Array<{ text: string; end: number }>> {
  const file = await open(path, 'r')
  try {
    for (let want = FIRST_READ_BYTES; ; want *= 2) {
      const buffer = Buffer.alloc(want)
      const { bytesRead } = await file.read(buffer, 0, want, position)
      const last = buffer.subarray(0, bytesRead).lastIndexOf(0x0a)
      if (last < 0) {
        if (bytesRead < want || want >= MAX_LINE_BYTES) return []
        continue
      }
      const lines: Array<{ text: string; end: number }> = []
      let start = 0
      while (start <= last) {
        const nl = buffer.indexOf(0x0a, start)
        lines.push({ text: buffer.subarray(start, nl).toString('utf8'), end: position + nl + 1 })
        start = nl + 1
      }
      return lines
    }
  } finally {
    await file.close()
  }
}

/** Byte offset of the first complete line published at or after `since`; the end when there is none. */
async function positionAt(path: string, since: Date): Promise<number> {
  let position = 0
  for (;;) {
    const lines = await readLines(path, position)
    if (lines.length === 0) return position
    for (const { text, end } of lines) {
      const message = decodeLine(text)
      if (message && message.publishTime >= since) return position
      position = end
    }
  }
}

function decodeLine(text: string): BusMessage | undefined {
  try {
    const line = JSON.parse(text) as Partial<StoredLine>
    if (typeof line.id !== 'string' || typeof line.data !== 'string' || typeof line.publishTime !== 'string') {
      return undefined
    }
    const attributes: Record<string, string> = {}
    for (const [k, v] of Object.entries(line.attributes ?? {})) if (typeof v === 'string') attributes[k] = v
    return {
      id: line.id,
      data: Buffer.from(line.data, 'base64'),
      attributes,
      publishTime: new Date(line.publishTime),
    }
  } catch {
    return undefined
  }
}

function matches(attributes: Record<string, string>, filter: Record<string, string>): boolean {
  return Object.entries(filter).every(([k, v]) => Object.hasOwn(attributes, k) && attributes[k] === v)
}

async function readState(path: string): Promise<SubscriptionState | undefined> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw err
  }
  let state: Partial<SubscriptionState> | null = null
  try {
    state = JSON.parse(text) as Partial<SubscriptionState> | null
  } catch {}
  if (typeof state?.topic !== 'string' || typeof state.position !== 'number') {
    throw new FerryError('FERRY_PUBSUB', `subscription file ${path} is corrupt`, { context: { path } })
  }
  return {
    topic: state.topic,
    attributes: state.attributes ?? {},
    position: state.position,
    createdAt: state.createdAt ?? '',
  }
}

function checkName(kind: string, name: string): string {
  if (!NAME.test(name)) {
    throw new FerryError('FERRY_USAGE', `invalid ${kind} name ${JSON.stringify(name)}`, { context: { [kind]: name } })
  }
  return name
}

function notFound(kind: 'topic' | 'subscription', name: string): FerryError {
  return new FerryError('FERRY_PUBSUB', `local bus ${kind} ${name} does not exist`, { context: { [kind]: name } })
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  )
}

function ignoreMissing(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
}
