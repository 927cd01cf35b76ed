import type { JSONSchemaType } from 'ajv'
import { OUTPUT_COMPRESSIONS, type OutputCompression } from '../core/formats/parquet/encode/compression.js'

/** Ferry's whole configuration. Built once at start from defaults, an optional file and the environment. */
export interface FerryConfig {
  /** local state root: folders for the local adapters and the embedded broker's data */
  home: string
  /**
   * the project's datasets folder (src/project/load.ts), absolute once loaded; empty when none is
   * configured and there is no ./datasets beside the config file or in the working directory
   */
  datasets: string
  kafka: {
    /** bootstrap brokers; empty means the embedded broker, started in-process on loopback */
    brokers: string[]
    clientId: string
    /** partitions for the topics Ferry creates (also the useful number of parallel workers) */
    partitions: number
    /** ledger: the compacted per-file state topic (`ferry status`) */
    topics: { objects: string; results: string; dlq: string; ledger: string }
    groups: { work: string; quality: string }
  }
  queue: { type: 'sqs' | 'local'; url: string }
  source: { type: 's3' | 'local' }
  output: {
    type: 'gcs' | 'local'
    bucket: string
    prefix: string
    quarantinePrefix: string
    /** the Parquet outputs' compression, unless a dataset's `compression:` says otherwise */
    compression: OutputCompression
  }
  /** endpoint: the Pub/Sub emulator host:port (PUBSUB_EMULATOR_HOST); empty for Google */
  bus: { type: 'pubsub' | 'local'; projectId: string; topic: string; endpoint: string }
  aws: { region: string; endpoint: string }
  gcs: { projectId: string; endpoint: string }
  work: {
    maxAttempts: number
    retryBaseMs: number
    idleMs: number
    /** Parquet decoder: Ferry's own (fast), or hyparquet, the reference, should a file decode differently */
    decoder: 'fast' | 'hyparquet'
    /** over any of these a file is dead-lettered (FERRY_LIMIT, or FERRY_TIMEOUT for the time limit) */
    limits: {
      maxObjectBytes: number
      maxDecompressedBytes: number
      maxRowBytes: number
      maxRowsPerFile: number
      fileTimeoutMs: number
      maxPageBytes: number
      stallMs: number
    }
  }
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent' }
  /** how long an endpoint (Kafka, S3, GCS, Pub/Sub) may take to answer before the command gives up */
  network: { timeoutMs: number }
  /** secrets: never logged (see REDACT_PATHS) */
  monitor: { slackWebhookUrl: string; webhookUrl: string; webhookAuthorization: string; pingUrl: string }
}

const name = { type: 'string', minLength: 1, pattern: '^[A-Za-z0-9._-]+$' } as const

export const configSchema: JSONSchemaType<FerryConfig> = {
  type: 'object',
  additionalProperties: false,
  required: [
    'home',
    'datasets',
    'network',
    'kafka',
    'queue',
    'source',
    'output',
    'bus',
    'aws',
    'gcs',
    'work',
    'log',
    'monitor',
  ],
  properties: {
    home: { type: 'string', minLength: 1 },
    datasets: { type: 'string' },
    kafka: {
      type: 'object',
      additionalProperties: false,
      required: ['brokers', 'clientId', 'partitions', 'topics', 'groups'],
      properties: {
        brokers: { type: 'array', items: { type: 'string', pattern: '^[^\\s:]+:[0-9]{1,5}$' } },
        clientId: name,
        partitions: { type: 'integer', minimum: 1, maximum: 1000 },
        topics: {
          type: 'object',
          additionalProperties: false,
          required: ['objects', 'results', 'dlq', 'ledger'],
          properties: { objects: name, results: name, dlq: name, ledger: name },
        },
        groups: {
          type: 'object',
          additionalProperties: false,
          required: ['work', 'quality'],
          properties: { work: name, quality: name },
        },
      },
    },
    queue: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'url'],
      properties: { type: { type: 'string', enum: ['sqs', 'local'] }, url: { type: 'string' } },
      if: { properties: { type: { const: 'sqs' } } },
      // biome-ignore lint/suspicious/noThenProperty: a JSON Schema conditional, not a thenable
      then: { properties: { url: { type: 'string', pattern: '^https?://' } } },
    },
    source: {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      properties: { type: { type: 'string', enum: ['s3', 'local'] } },
    },
    output: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'bucket', 'prefix', 'quarantinePrefix', 'compression'],
      properties: {
        type: { type: 'string', enum: ['gcs', 'local'] },
        bucket: { type: 'string', minLength: 3, maxLength: 222, pattern: '^[a-z0-9][a-z0-9._-]*[a-z0-9]$' },
        prefix: { type: 'string', pattern: '^([^/].*[^/])?$' },
        quarantinePrefix: { type: 'string', minLength: 1, pattern: '^[^/](.*[^/])?$' },
        compression: { type: 'string', enum: OUTPUT_COMPRESSIONS },
      },
    },
    bus: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'projectId', 'topic', 'endpoint'],
      properties: {
        type: { type: 'string', enum: ['pubsub', 'local'] },
        projectId: { type: 'string' },
        topic: name,
        endpoint: { type: 'string' },
      },
      if: { properties: { type: { const: 'pubsub' } } },
      // biome-ignore lint/suspicious/noThenProperty: a JSON Schema conditional, not a thenable
      then: { properties: { projectId: { type: 'string', minLength: 1 } } },
    },
    aws: {
      type: 'object',
      additionalProperties: false,
      required: ['region', 'endpoint'],
      properties: { region: { type: 'string', minLength: 1 }, endpoint: { type: 'string' } },
    },
    gcs: {
      type: 'object',
      additionalProperties: false,
      required: ['projectId', 'endpoint'],
      properties: { projectId: { type: 'string' }, endpoint: { type: 'string' } },
    },
    work: {
      type: 'object',
      additionalProperties: false,
      required: ['maxAttempts', 'retryBaseMs', 'idleMs', 'decoder', 'limits'],
      properties: {
        maxAttempts: { type: 'integer', minimum: 1, maximum: 20 },
        retryBaseMs: { type: 'integer', minimum: 0, maximum: 60_000 },
        idleMs: { type: 'integer', minimum: 100, maximum: 600_000 },
        decoder: { type: 'string', enum: ['fast', 'hyparquet'] },
        limits: {
          type: 'object',
          additionalProperties: false,
          required: [
            'maxObjectBytes',
            'maxDecompressedBytes',
            'maxRowBytes',
            'maxRowsPerFile',
            'fileTimeoutMs',
            'maxPageBytes',
            'stallMs',
          ],
          properties: {
            maxObjectBytes: { type: 'integer', minimum: 1 },
            maxDecompressedBytes: { type: 'integer', minimum: 1 },
            maxRowBytes: { type: 'integer', minimum: 1 },
            maxRowsPerFile: { type: 'integer', minimum: 1 },
            // a worker thread's timer cannot wait longer than 2^31-1 ms
            fileTimeoutMs: { type: 'integer', minimum: 100, maximum: 2 ** 31 - 1 },
            maxPageBytes: { type: 'integer', minimum: 1 },
            stallMs: { type: 'integer', minimum: 100, maximum: 2 ** 31 - 1 },
          },
        },
      },
    },
    network: {
      type: 'object',
      additionalProperties: false,
      required: ['timeoutMs'],
      properties: { timeoutMs: { type: 'integer', minimum: 100, maximum: 600_000 } },
    },
    log: {
      type: 'object',
      additionalProperties: false,
      required: ['level'],
      properties: { level: { type: 'string', enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] } },
    },
    monitor: {
      type: 'object',
      additionalProperties: false,
      required: ['slackWebhookUrl', 'webhookUrl', 'webhookAuthorization', 'pingUrl'],
      properties: {
        slackWebhookUrl: { type: 'string', pattern: '^(https?://.+)?$' },
        webhookUrl: { type: 'string', pattern: '^(https?://.+)?$' },
        webhookAuthorization: { type: 'string' },
        pingUrl: { type: 'string', pattern: '^(https?://.+)?$' },
      },
    },
  },
}
