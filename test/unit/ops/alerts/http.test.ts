import { describe, expect, it } from 'vitest'
import { parseRetryAfter, redactUrl } from '../../../../src/ops/alerts/http.js'

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-24T00:01:00Z')

  it('reads delay-seconds and HTTP dates, never a negative wait', () => {
    expect(parseRetryAfter('1', now)).toBe(1000)
    expect(parseRetryAfter(' 30 ', now)).toBe(30_000)
    expect(parseRetryAfter('Tue, 24 Nov 2026 00:01:05 GMT', now)).toBe(5000)
    expect(parseRetryAfter('Tue, 24 Nov 2026 00:00:00 GMT', now)).toBe(0)
  })

  it('ignores a missing or unreadable header', () => {
    expect(parseRetryAfter(null, now)).toBeUndefined()
    expect(parseRetryAfter('soon', now)).toBeUndefined()
  })
})

describe('redactUrl', () => {
  it('keeps scheme, host and port only', () => {
    expect(redactUrl(new URL('https://hooks.slack.com/services/T000/B000/SECRETxyz?x=1'))).toBe(
      'https://hooks.slack.com/…',
    )
    expect(redactUrl(new URL('http://user:pw@127.0.0.1:8080/ping/abc'))).toBe('http://127.0.0.1:8080/…')
  })
})
