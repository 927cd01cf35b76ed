import { type ErrorContext, FerryError, isFerryError } from '../../errors.js'

/** gRPC status codes the Pub/Sub client reports in `err.code`. */
export const GrpcStatus = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const

const RETRYABLE = new Set<number>([
  GrpcStatus.CANCELLED,
  GrpcStatus.UNKNOWN,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.RESOURCE_EXHAUSTED,
  GrpcStatus.ABORTED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNAVAILABLE,
])

export function grpcCode(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null | undefined)?.code
  return typeof code === 'number' ? code : undefined
}

/** Wraps a Pub/Sub client error into a FerryError (FERRY_PUBSUB), retryable for transient gRPC codes. */
export function pubsubError(err: unknown, operation: string, context: ErrorContext = {}): FerryError {
  if (isFerryError(err)) return err
  const code = grpcCode(err)
  const detail = err instanceof Error ? err.message : String(err)
  return new FerryError('FERRY_PUBSUB', `Pub/Sub ${operation} failed: ${detail}`, {
    cause: err,
    retryable: code !== undefined && RETRYABLE.has(code),
    context: { ...context, operation, ...(code === undefined ? {} : { grpcCode: code }) },
  })
}
