import { type ErrorContext, FerryError, isFerryError } from '../../errors.js'
import { isRetryableAwsError, type SdkErrorShape } from '../aws-errors.js'

/** Wraps an SDK error from an SQS call into a FerryError (FERRY_NOTIFICATION), keeping it as `cause`. */
export function sqsError(err: unknown, operation: string, context: ErrorContext = {}): FerryError {
  if (isFerryError(err)) return err
  const e = (typeof err === 'object' && err !== null ? err : {}) as SdkErrorShape
  const name = typeof e.name === 'string' ? e.name : 'Error'
  const detail = typeof e.message === 'string' && e.message !== '' ? e.message : String(err)
  const status = e.$metadata?.httpStatusCode
  const requestId = e.$metadata?.requestId
  return new FerryError('FERRY_NOTIFICATION', `SQS ${operation} failed: ${name}: ${detail}`, {
    cause: err,
    retryable: isRetryableAwsError(err),
    context: {
      ...context,
      operation,
      awsError: name,
      ...(typeof status === 'number' ? { httpStatus: status } : {}),
      ...(typeof requestId === 'string' ? { requestId } : {}),
    },
  })
}
