/**
 * One error hierarchy for Ferry. Every error carries a stable `code`, whether a retry can help
 * (`retryable`), context for logs (topic, partition, key...) and an ES2022 `cause`.
 * Properties are own and enumerable so pino serialises them under `err`.
 */
export type ErrorCode =
  | 'FERRY_CONFIG'
  | 'FERRY_USAGE'
  | 'FERRY_VALIDATION'
  | 'FERRY_FORMAT'
  | 'FERRY_UNSUPPORTED'
  | 'FERRY_SOURCE_READ'
  | 'FERRY_SINK_WRITE'
  | 'FERRY_ALERT'
  | 'FERRY_NOTIFICATION'
  | 'FERRY_NO_DATASET'
  | 'FERRY_KAFKA'
  | 'FERRY_PUBSUB'
  | 'FERRY_LIMIT'
  | 'FERRY_TIMEOUT'
  | 'FERRY_INTERRUPTED'
  | 'FERRY_PROTOCOL'
  | 'FERRY_INTERNAL'

export type ErrorContext = Record<string, unknown>

export interface FerryErrorOptions {
  cause?: unknown
  retryable?: boolean
  context?: ErrorContext
}

export class FerryError extends Error {
  readonly code: ErrorCode
  readonly retryable: boolean
  readonly context: ErrorContext

  constructor(code: ErrorCode, message: string, options: FerryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'FerryError'
    this.code = code
    this.retryable = options.retryable ?? false
    this.context = options.context ?? {}
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      retryable: this.retryable,
      context: this.context,
      cause: describeCause(this.cause),
    }
  }
}

/** Bad or missing configuration: fix the config, a retry cannot help. */
export class ConfigError extends FerryError {
  readonly problems: string[]
  constructor(message: string, problems: string[] = [], options: FerryErrorOptions = {}) {
    super('FERRY_CONFIG', problems.length ? `${message}:\n  - ${problems.join('\n  - ')}` : message, options)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

/** Wrong command-line usage (unknown flag, missing argument). */
export class UsageError extends FerryError {
  constructor(message: string) {
    super('FERRY_USAGE', message)
    this.name = 'UsageError'
  }
}

/** The input file cannot be decoded: a data problem, never retryable. */
export class FormatError extends FerryError {
  constructor(message: string, options: FerryErrorOptions = {}) {
    super('FERRY_FORMAT', message, options)
    this.name = 'FormatError'
  }
}

/** The input uses a feature Ferry does not implement; the message names the feature. */
export class UnsupportedError extends FerryError {
  readonly feature: string
  constructor(feature: string, message = `unsupported feature: ${feature}`, options: FerryErrorOptions = {}) {
    super('FERRY_UNSUPPORTED', message, options)
    this.name = 'UnsupportedError'
    this.feature = feature
  }
}

/** A configured resource limit (size, rows, time) was exceeded. */
export class LimitError extends FerryError {
  constructor(message: string, options: FerryErrorOptions = {}) {
    super('FERRY_LIMIT', message, options)
    this.name = 'LimitError'
  }
}

/**
 * The command was interrupted (SIGINT/SIGTERM) while it worked: what was in hand is left undone and
 * uncommitted, to be done again by the next run, hence retryable.
 */
export class InterruptedError extends FerryError {
  constructor(message: string, options: FerryErrorOptions = {}) {
    super('FERRY_INTERRUPTED', message, { retryable: true, ...options })
    this.name = 'InterruptedError'
  }
}

/** A Kafka wire-protocol violation seen by the embedded broker. */
export class ProtocolError extends FerryError {
  constructor(message: string, options: FerryErrorOptions = {}) {
    super('FERRY_PROTOCOL', message, options)
    this.name = 'ProtocolError'
  }
}

export function isFerryError(err: unknown): err is FerryError {
  return err instanceof FerryError
}

/** Programmer errors are never retried: retrying a TypeError only hides a bug. */
export function isProgrammerError(err: unknown): boolean {
  return (
    err instanceof TypeError || err instanceof RangeError || err instanceof SyntaxError || err instanceof ReferenceError
  )
}

function describeCause(cause: unknown): unknown {
  if (cause === undefined) return undefined
  if (cause instanceof FerryError) return cause.toJSON()
  if (cause instanceof Error) return { name: cause.name, message: cause.message, cause: describeCause(cause.cause) }
  return String(cause)
}

/**
 * Message of an unknown thrown value, with its cause chain, for one-line summaries. A cause whose
 * message the line already holds (an error that wraps another and quotes it) is not said twice.
 */
export function errorMessage(err: unknown): string {
  if (!(err instanceof Error)) return String(err)
  let line = err.message
  let cause = err.cause
  for (let depth = 0; cause !== undefined && depth < 5; depth++) {
    const message = cause instanceof Error ? cause.message : String(cause)
    if (message && !line.includes(message)) line += `: ${message}`
    cause = cause instanceof Error ? cause.cause : undefined
  }
  return line
}
