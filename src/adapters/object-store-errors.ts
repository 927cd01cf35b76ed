import { FerryError } from '../errors.js'
import type { ByteRange } from '../ports.js'

/** Rejects a byte range no store could serve: a programmer error, so a RangeError, never retried. */
export function checkRange(range: ByteRange): void {
  const { start, end } = range
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
    throw new RangeError(`invalid byte range [${start}, ${end})`)
  }
}

/** A missing object: a data problem (the notification outlived the object), not worth a retry. */
export function missingObject(url: string, bucket: string, key: string, cause?: unknown): FerryError {
  return new FerryError('FERRY_SOURCE_READ', `${url} does not exist`, {
    retryable: false,
    context: { bucket, key },
    ...(cause === undefined ? {} : { cause }),
  })
}
