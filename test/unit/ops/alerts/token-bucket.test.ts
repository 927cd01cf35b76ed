import { describe, expect, it } from 'vitest'
import { TokenBucket } from '../../../../src/ops/alerts/token-bucket.js'

describe('TokenBucket', () => {
  it('lets the first send go and queues the next ones one interval apart', () => {
    const bucket = new TokenBucket(1, 1000, 0)
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 1000, 2000])
  })

  it('remembers reservations: a later caller waits behind the queued sends', () => {
    const bucket = new TokenBucket(1, 1000, 0)
    bucket.take(0)
    bucket.take(0) // scheduled for t=1000
    expect(bucket.take(500)).toBe(1500) // next free slot is t=2000
  })

  it('refills up to its capacity, never beyond', () => {
    const bucket = new TokenBucket(2, 1000, 0)
    expect([bucket.take(0), bucket.take(0), bucket.take(0)]).toEqual([0, 0, 1000])
    // A long quiet spell refills two tokens, not ten.
    expect([bucket.take(11_000), bucket.take(11_000), bucket.take(11_000)]).toEqual([0, 0, 1000])
  })

  it('never waits with a zero interval', () => {
    const bucket = new TokenBucket(1, 0, 0)
    expect([bucket.take(0), bucket.take(0)]).toEqual([0, 0])
  })
})
