import { describe, expect, it } from 'vitest'
import { isRetryable, withRetry } from '../../../src/core/retry.js'
import { FerryError, FormatError } from '../../../src/errors.js'

describe('withRetry', () => {
  it('retries retryable errors until success and reports the attempts', async () => {
    const seen: number[] = []
    const outcome = await withRetry({ maxAttempts: 5, baseMs: 1 }, async (attempt) => {
      seen.push(attempt)
      if (attempt < 3) throw new FerryError('FERRY_SOURCE_READ', 'flaky', { retryable: true })
      return 'ok'
    })
    expect(outcome).toEqual({ value: 'ok', attempts: 3 })
    expect(seen).toEqual([1, 2, 3])
  })

  it('gives up after maxAttempts with the last error', async () => {
    let calls = 0
    await expect(
      withRetry({ maxAttempts: 3, baseMs: 1 }, async () => {
        calls++
        throw new FerryError('FERRY_SINK_WRITE', `down ${calls}`, { retryable: true })
      }),
    ).rejects.toThrow('down 3')
    expect(calls).toBe(3)
  })

  it('never retries data errors or programmer errors', async () => {
    for (const err of [new FormatError('bad magic'), new TypeError('x is undefined')]) {
      let calls = 0
      await expect(
        withRetry({ maxAttempts: 5, baseMs: 1 }, async () => {
          calls++
          throw err
        }),
      ).rejects.toBe(err)
      expect(calls).toBe(1)
    }
    expect(isRetryable(new Error('ECONNRESET'))).toBe(true)
  })
})
