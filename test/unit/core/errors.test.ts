import { describe, expect, it } from 'vitest'
import { errorMessage, FormatError, InterruptedError, LimitError } from '../../../src/errors.js'

describe('errorMessage', () => {
  it('follows the cause chain on one line', () => {
    const err = new FormatError('footer of orders.parquet is damaged', {
      cause: new Error('thrift: field 4 truncated'),
    })
    expect(errorMessage(err)).toBe('footer of orders.parquet is damaged: thrift: field 4 truncated')
    expect(errorMessage('plain')).toBe('plain')
  })

  it('says a cause once when the wrapping error already quotes it', () => {
    const inner = new LimitError('gzip input inflates past the 8-byte decompression limit')
    const outer = new LimitError(`${inner.message} (limit work.limits.maxDecompressedBytes)`, { cause: inner })
    expect(errorMessage(outer)).toBe(
      'gzip input inflates past the 8-byte decompression limit (limit work.limits.maxDecompressedBytes)',
    )
  })
})

describe('InterruptedError', () => {
  it('is retryable: what it stopped is done again by the next run', () => {
    const err = new InterruptedError('interrupted by SIGTERM')
    expect(err).toMatchObject({ code: 'FERRY_INTERRUPTED', retryable: true, name: 'InterruptedError' })
  })
})
