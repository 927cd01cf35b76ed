/** Errors crossing from an engine worker thread keep their class, code, flags, context and stack. */
import { describe, expect, it } from 'vitest'
import { EngineTimeoutError } from '../../../src/core/engine/limits.js'
import { deserializeError, serializeError } from '../../../src/core/engine/protocol.js'
import { FerryError, FormatError, LimitError, UnsupportedError } from '../../../src/errors.js'

function thrownInWorker(make: () => Error): Error {
  try {
    throw make()
  } catch (err) {
    // what the message port carries is structured-cloned data, so only the serialized form survives
    return deserializeError(structuredClone(serializeError(err)))
  }
}

describe('engine worker errors', () => {
  it('rebuild the Ferry class with code, retryable, context and the stack where it was thrown', () => {
    const err = thrownInWorker(function decodePage() {
      return new FormatError('damaged page header', { context: { column: 'amount' } })
    })
    expect(err).toBeInstanceOf(FormatError)
    expect(err).toMatchObject({ code: 'FERRY_FORMAT', retryable: false, context: { column: 'amount' } })
    expect(err.stack).toContain('decodePage')
  })

  it('keep the unsupported feature, limit errors and codes without a class of their own', () => {
    expect(thrownInWorker(() => new UnsupportedError('parquet-codec-lzo', 'LZO'))).toMatchObject({
      code: 'FERRY_UNSUPPORTED',
      feature: 'parquet-codec-lzo',
    })
    expect(
      thrownInWorker(() => new LimitError('too many rows', { context: { limit: 'maxRowsPerFile' } })),
    ).toBeInstanceOf(LimitError)
    const timeout = thrownInWorker(() => new EngineTimeoutError(10, 'slow'))
    expect(timeout).toBeInstanceOf(FerryError)
    expect(timeout).toMatchObject({ code: 'FERRY_TIMEOUT', retryable: false, context: { limit: 'fileTimeoutMs' } })
    const plain = thrownInWorker(() => new RangeError('bad index'))
    expect(plain).toMatchObject({ name: 'RangeError', message: 'bad index' })
    expect(plain).not.toBeInstanceOf(FerryError)
  })
})
