import { FerryError, isProgrammerError } from '../errors.js'

export interface RetryPolicy {
  maxAttempts: number
  baseMs: number
  maxMs?: number
}

export interface RetryOutcome<T> {
  value: T
  attempts: number
}

/** Whether another attempt can help: FerryErrors say so themselves; bugs never; anything else maybe. */
export function isRetryable(err: unknown): boolean {
  if (err instanceof FerryError) return err.retryable
  return !isProgrammerError(err)
}

/**
 * Runs `fn` until it succeeds, the error is not retryable, attempts run out or the signal aborts.
 * Backoff is exponential with full jitter and a cap, so many workers don't retry in lockstep.
 * The last error is rethrown as it is; `fn` receives the attempt number for callers that report it.
 */
export async function withRetry<T>(
  policy: RetryPolicy,
  fn: (attempt: number) => Promise<T>,
  options: { signal?: AbortSignal; onRetry?: (err: unknown, attempt: number, delayMs: number) => void } = {},
): Promise<RetryOutcome<T>> {
  const maxMs = policy.maxMs ?? 30_000
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await fn(attempt), attempts: attempt }
    } catch (err) {
      if (attempt >= policy.maxAttempts || !isRetryable(err) || options.signal?.aborted) {
        throw err
      }
      const delay = Math.round(Math.random() * Math.min(maxMs, policy.baseMs * 2 ** (attempt - 1)))
      options.onRetry?.(err, attempt, delay)
      await sleep(delay, options.signal)
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms)
    function done() {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    signal?.addEventListener('abort', done, { once: true })
  })
}
