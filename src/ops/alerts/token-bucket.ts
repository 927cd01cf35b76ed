/**
 * A token bucket that schedules rather than drops: `take` always grants a token and says how long
 * to wait before using it. Alerts are few and each matters, so the limit delays them instead of
 * losing them. Pure: the caller passes the clock.
 */
export class TokenBucket {
  readonly #capacity: number
  readonly #intervalMs: number
  #tokens: number
  #at: number

  /** `capacity` sends may go at once; after that, one every `intervalMs`. */
  constructor(capacity: number, intervalMs: number, now: number) {
    this.#capacity = capacity
    this.#intervalMs = intervalMs
    this.#tokens = capacity
    this.#at = now
  }

  /** Takes a token and returns the wait in ms before the send it pays for may go (0: now). */
  take(now: number): number {
    if (this.#intervalMs <= 0) return 0
    this.#tokens = Math.min(this.#capacity, this.#tokens + Math.max(0, now - this.#at) / this.#intervalMs)
    this.#at = now
    // Tokens may go negative: each waiting send reserves the next refill, so waits queue up in order.
    this.#tokens -= 1
    return this.#tokens >= 0 ? 0 : Math.ceil(-this.#tokens * this.#intervalMs)
  }
}
