import { createRequire } from 'node:module'
import { afterEach, describe, expect, it, vi } from 'vitest'
import '../../../src/adapters/kafka/kafkajs-timers.js'

const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as {
  prototype: { scheduleCheckPendingRequests(this: object): void }
}

function queue(throttledUntil: number, pending: unknown[]) {
  return { throttledUntil, throttleCheckTimeoutId: null, pending, checkPendingRequests: vi.fn() }
}

describe("kafkajs's pending-request timer", () => {
  afterEach(() => vi.useRealTimers())

  it('is never armed with a negative delay (Node 24 warns), and still fires', () => {
    vi.useFakeTimers()
    const spy = vi.spyOn(globalThis, 'setTimeout')
    const idle = queue(-1, [])
    RequestQueue.prototype.scheduleCheckPendingRequests.call(idle)
    expect(spy.mock.calls.at(-1)?.[1]).toBe(1)
    vi.advanceTimersByTime(1)
    expect(idle.checkPendingRequests).toHaveBeenCalledOnce()
    expect(idle.throttleCheckTimeoutId).toBeNull()
  })

  it('keeps kafkajs’s delays: the throttle’s end, or 10 ms for pending requests', () => {
    vi.useFakeTimers({ now: 1_000_000 })
    const spy = vi.spyOn(globalThis, 'setTimeout')
    RequestQueue.prototype.scheduleCheckPendingRequests.call(queue(1_000_250, []))
    expect(spy.mock.calls.at(-1)?.[1]).toBe(250)
    RequestQueue.prototype.scheduleCheckPendingRequests.call(queue(-1, [{}]))
    expect(spy.mock.calls.at(-1)?.[1]).toBe(10)
  })
})
