import { isFerryError } from '../errors.js'
import { NETWORK_ERROR_CODES } from './network-errors.js'

/** The fields AWS SDK v3 service exceptions carry; read structurally so no SDK internals are imported. */
export interface SdkErrorShape {
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

/**
 * Whether retrying the same AWS call can help: server faults, throttling, timeouts and network
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
  if (typeof e.code === 'string' && NETWORK_ERROR_CODES.has(e.code)) return true
  const status = e.$metadata?.httpStatusCode
  if (typeof status === 'number') return status >= 500 || status === 429
  if (e.$fault === 'server') return true
  return false
}
