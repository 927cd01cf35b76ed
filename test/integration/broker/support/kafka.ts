import { randomUUID } from 'node:crypto'
import { Kafka, logLevel } from 'kafkajs'

/** A unique, Kafka-legal name for one test's topic, group or client. */
export function unique(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`
}

/** A quiet kafkajs client with a unique client id; short retries keep failing tests fast. */
export function kafkaClient(address: string, name = 'test'): Kafka {
  return new Kafka({
    brokers: [address],
    clientId: unique(name),
    logLevel: logLevel.NOTHING,
    retry: { retries: 5, initialRetryTime: 100 },
  })
}

/** Polls `check` until it returns a value other than undefined; the test timeout bounds the wait. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, intervalMs = 50): Promise<T> {
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/** Runs every cleanup registered with `defer`, newest first, ignoring failures (for afterEach). */
export class Cleanup {
  private readonly tasks: Array<() => Promise<unknown>> = []

  defer(task: () => Promise<unknown>): void {
    this.tasks.push(task)
  }

  async run(): Promise<void> {
    for (const task of this.tasks.splice(0).reverse()) await task().catch(() => undefined)
  }
}
