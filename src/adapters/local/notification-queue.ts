import { randomUUID } from 'node:crypto'
import { mkdir, readdir, readFile, rename, rmdir, stat, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { FerryError } from '../../errors.js'
import type { NotificationQueue, QueueMessage, ReceiveOptions } from '../../ports.js'

export interface LocalQueueOptions {
  /** visibility timeout when a receive does not give one (SQS's default is 30 s) */
  defaultVisibilityTimeoutSeconds?: number
  /** how often an empty long-poll looks again */
  pollIntervalMs?: number
  staleLockMs?: number
}

interface StoredMessage {
  id: string
  body: string
  sentAt: string
  receiveCount: number
  lease?: { token: string; until: number }
}

const HANDLE_SEPARATOR = '~'
const MAX_BATCH = 10
const LOCK_TIMEOUT_MS = 10_000

let sequence = 0

/**
 * NotificationQueue on a local folder, for the demo and tests:
 *
 *   <root>/messages/<stem>.json   one message per file; stems sort in arrival order
 *   <root>/tmp/                   files are written here, then renamed into place (atomic)
 *   <root>/.lock/                 mkdir lock held while claiming or deleting
 *
 * A message file holds `{ id, body, sentAt, receiveCount, lease? }`. Receiving a message records a
 * lease (a random token and an expiry); until the lease expires the message is hidden, like an
 * SQS in-flight message. The receipt handle is `<stem>~<token>`, so a handle from an earlier
 * delivery stops working once the message was received again. Everything lives on disk, so the
 * queue survives restarts; the lock makes concurrent receivers safe, though it is built for one
 * drainer (a stale lock is broken after `staleLockMs`).
 */
export class LocalNotificationQueue implements NotificationQueue {
  readonly root: string
  private readonly messagesDir: string
  private readonly tmpDir: string
  private readonly lockDir: string
  private readonly defaultVisibility: number
  private readonly pollIntervalMs: number
  private readonly staleLockMs: number
  private ready: Promise<void> | undefined

  constructor(root: string, options: LocalQueueOptions = {}) {
    this.root = root
    this.messagesDir = join(root, 'messages')
    this.tmpDir = join(root, 'tmp')
    this.lockDir = join(root, '.lock')
    this.defaultVisibility = options.defaultVisibilityTimeoutSeconds ?? 30
    this.pollIntervalMs = options.pollIntervalMs ?? 100
    this.staleLockMs = options.staleLockMs ?? 30_000
  }

  async send(body: string): Promise<void> {
    await this.init()
    const stem = `${Date.now().toString().padStart(15, '0')}-${process.pid}-${(sequence++).toString().padStart(9, '0')}-${randomUUID().slice(0, 8)}`
    const message: StoredMessage = { id: stem, body, sentAt: new Date().toISOString(), receiveCount: 0 }
    await this.writeAtomic(this.path(stem), message)
  }

  async receive(options: ReceiveOptions): Promise<QueueMessage[]> {
    await this.init()
    // Same bounds as SQS: 1 to 10 messages per receive.
    const max = Math.min(MAX_BATCH, Math.max(1, Math.floor(options.maxMessages) || 1))
    const visibilityMs = Math.max(0, options.visibilityTimeoutSeconds ?? this.defaultVisibility) * 1000
    const deadline = Date.now() + Math.max(0, options.waitSeconds) * 1000
    for (;;) {
      const claimed = await this.withLock(() => this.claim(max, visibilityMs))
      const remaining = deadline - Date.now()
      if (claimed.length > 0 || remaining <= 0) return claimed
      await sleep(Math.min(this.pollIntervalMs, remaining))
    }
  }

  /** Deletes every delivery it can; throws one FerryError listing the handles it could not honour. */
  async delete(messages: QueueMessage[]): Promise<void> {
    if (messages.length === 0) return
    await this.init()
    const failed = await this.withLock(async () => {
      const failures: Array<{ messageId: string; code: string; message: string }> = []
      for (const m of messages) {
        const problem = await this.deleteOne(m.receiptHandle)
        if (problem) failures.push({ messageId: m.id, ...problem })
      }
      return failures
    })
    if (failed.length === 0) return
    const listed = failed.map((f) => `${f.messageId} (${f.code}: ${f.message})`).join('; ')
    throw new FerryError(
      'FERRY_NOTIFICATION',
      `local queue: ${failed.length} of ${messages.length} messages not deleted: ${listed}`,
      {
        retryable: true,
        context: { root: this.root, operation: 'delete', failed },
      },
    )
  }

  private async deleteOne(handle: string): Promise<{ code: string; message: string } | undefined> {
    const at = handle.lastIndexOf(HANDLE_SEPARATOR)
    const stem = at > 0 ? handle.slice(0, at) : ''
    const token = at > 0 ? handle.slice(at + 1) : ''
    if (!stem || !token || stem.includes('/') || stem.includes('\\') || stem.startsWith('.')) {
      return { code: 'ReceiptHandleIsInvalid', message: 'malformed receipt handle' }
    }
    const stored = await this.read(stem)
    // Already deleted: deleting again succeeds, as on SQS.
    if (stored === undefined) return undefined
    if (stored.lease?.token !== token) {
      return { code: 'ReceiptHandleIsInvalid', message: 'stale receipt handle: the message was received again since' }
    }
    await unlink(this.path(stem)).catch(ignoreMissing)
    return undefined
  }

  private async claim(max: number, visibilityMs: number): Promise<QueueMessage[]> {
    const now = Date.now()
    const claimed: QueueMessage[] = []
    const names = (await readdir(this.messagesDir)).filter((n) => n.endsWith('.json')).sort()
    for (const name of names) {
      if (claimed.length >= max) break
      const stem = name.slice(0, -'.json'.length)
      const stored = await this.read(stem)
      if (stored === undefined || (stored.lease && stored.lease.until > now)) continue
      const token = randomUUID()
      const updated: StoredMessage = {
        ...stored,
        receiveCount: stored.receiveCount + 1,
        lease: { token, until: now + visibilityMs },
      }
      await this.writeAtomic(this.path(stem), updated)
      claimed.push({
        id: stored.id,
        body: stored.body,
        receiptHandle: `${stem}${HANDLE_SEPARATOR}${token}`,
        receiveCount: updated.receiveCount,
      })
    }
    return claimed
  }

  /** The stored message, or undefined when it is gone or unreadable (a corrupt file is left alone). */
  private async read(stem: string): Promise<StoredMessage | undefined> {
    let text: string
    try {
      text = await readFile(this.path(stem), 'utf8')
    } catch (err) {
      if (isMissing(err)) return undefined
      throw this.ioError('read', err)
    }
    try {
      const value = JSON.parse(text) as StoredMessage
      return typeof value.body === 'string' && typeof value.receiveCount === 'number' ? value : undefined
    } catch {
      return undefined
    }
  }

  private async writeAtomic(path: string, message: StoredMessage): Promise<void> {
    const tmp = join(this.tmpDir, `${randomUUID()}.json`)
    try {
      await writeFile(tmp, JSON.stringify(message))
      await rename(tmp, path)
    } catch (err) {
      await unlink(tmp).catch(() => {})
      throw this.ioError('write', err)
    }
  }

  private async withLock<T>(fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + LOCK_TIMEOUT_MS
    for (;;) {
      try {
        await mkdir(this.lockDir)
        break
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw this.ioError('lock', err)
      }
      const age = await stat(this.lockDir).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      )
      if (age > this.staleLockMs) {
        await rmdir(this.lockDir).catch(() => {})
        continue
      }
      if (Date.now() > deadline) {
        throw new FerryError('FERRY_NOTIFICATION', `local queue: lock ${this.lockDir} held for too long`, {
          retryable: true,
          context: { root: this.root },
        })
      }
      await sleep(5 + Math.random() * 20)
    }
    try {
      return await fn()
    } finally {
      await rmdir(this.lockDir).catch(() => {})
    }
  }

  private init(): Promise<void> {
    this.ready ??= (async () => {
      await mkdir(this.messagesDir, { recursive: true })
      await mkdir(this.tmpDir, { recursive: true })
    })().catch((err) => {
      this.ready = undefined
      throw this.ioError('create', err)
    })
    return this.ready
  }

  private path(stem: string): string {
    return join(this.messagesDir, `${stem}.json`)
  }

  private ioError(operation: string, err: unknown): FerryError {
    const detail = err instanceof Error ? err.message : String(err)
    return new FerryError('FERRY_NOTIFICATION', `local queue ${operation} failed under ${this.root}: ${detail}`, {
      cause: err,
      retryable: true,
      context: { root: this.root, operation },
    })
  }
}

function isMissing(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT'
}

function ignoreMissing(err: unknown): void {
  if (!isMissing(err)) throw err
}
