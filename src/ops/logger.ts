import { type Logger, type LoggerOptions, pino } from 'pino'

export type { Logger }

/**
 * Paths pino censors before a line is written. Credentials and webhook URLs must never reach a log
 * sink (CloudWatch, Loki...) where far more people can read them than can read the secret store.
 */
export const REDACT_PATHS = [
  'password',
  'secret',
  'token',
  'authorization',
  'webhookUrl',
  'pingUrl',
  'credentials',
  'accessKeyId',
  'secretAccessKey',
  'sessionToken',
  '*.password',
  '*.secret',
  '*.token',
  '*.authorization',
  '*.webhookUrl',
  '*.pingUrl',
  '*.credentials',
  '*.accessKeyId',
  '*.secretAccessKey',
  '*.sessionToken',
  'monitor',
  '*.monitor',
  'slackWebhookUrl',
  'webhookAuthorization',
  '*.slackWebhookUrl',
  '*.webhookAuthorization',
  'headers.authorization',
  'req.headers.authorization',
]

export interface LoggerSettings {
  level?: string
  pretty?: boolean
  destination?: pino.DestinationStream
  /** write JSON lines to this file instead of stderr (created with its folder) */
  file?: string
}

export function createLogger(settings: LoggerSettings = {}): Logger {
  const options: LoggerOptions = {
    level: settings.level ?? process.env.FERRY_LOG_LEVEL ?? 'info',
    base: { app: 'ferry' },
    // CloudWatch metric filters match `{ $.level = "error" }`: keep level as a label, not a number.
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: { err: pino.stdSerializers.errWithCause },
  }
  if (settings.destination) return pino(options, settings.destination)
  if (settings.file) return pino(options, pino.destination({ dest: settings.file, mkdir: true, sync: true }))
  if (settings.pretty) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { destination: 2, colorize: true } } })
  }
  // Logs go to stderr so stdout stays for command output (summaries, JSON for pipes).
  return pino(options, pino.destination(2))
}
