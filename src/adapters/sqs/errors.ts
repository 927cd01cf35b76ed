import { type ErrorContext, FerryError, isFerryError } from '../../errors.js'

/** The fields AWS SDK v3 service exceptions carry; read structurally so no SDK internals are imported. */
interface SdkErrorShape {
  name?: unknown
  message?: unknown
  code?: unknown
  $fault?: unknown
  $retryable?: unknown
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown }
}

const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'SlowDown',
  'KmsThrottled',
])

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNABORTED',
  'UND_ERR_SOCKET',
])

/**
 * Whether retrying the same SQS call can help: server faults, throttling, timeouts and network
 * failures can; client faults (missing queue, access denied, bad parameter) and programmer errors cannot.
 */
export function isRetryableAwsError(err: unknown): boolean {
  if (isFerryError(err)) return err.retryable
  if (typeof err !== 'object' || err === null) return false
  const e = err as SdkErrorShape
  const name = typeof e.name === 'string' ? e.name : ''
  if (name === 'AbortError') return false
  if (e.$retryable !== undefined && e.$retryable !== null) return true
  if (THROTTLING.has(name)) return true
  if (name === 'TimeoutError' || name === 'RequestTimeout' || name === 'RequestTimeoutException') return true
  if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true
  const status = e.$metadata?.httpStatusCode
  if (typeof status === 'number') return status >= 500 || status === 429
  if (e.$fault === 'server') return true
  return false
}

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
