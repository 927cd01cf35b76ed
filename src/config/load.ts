import { existsSync, readFileSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { Ajv, type ErrorObject } from 'ajv'
import { parse as parseYaml } from 'yaml'
import { LIMIT_ENV } from '../core/engine/limits.js'
import { DEFAULT_COMPRESSION } from '../core/formats/parquet/encode/compression.js'
import { ConfigError } from '../errors.js'
import { configSchema, type FerryConfig } from './schema.js'

export type { FerryConfig }

const validate = new Ajv({ allErrors: true, strict: true, allowUnionTypes: false }).compile(configSchema)

const CONFIG_FILES = ['ferry.config.json', 'ferry.config.yaml', 'ferry.config.yml']

const MIB = 1024 ** 2
const GIB = 1024 ** 3

/** The local default: no cloud account, no broker to run. Everything lives under ./.ferry/. */
export function defaultConfig(home = '.ferry'): FerryConfig {
  return {
    home,
    datasets: '',
    kafka: {
      brokers: [],
      clientId: 'ferry',
      partitions: 4,
      topics: { objects: 'ferry.objects', results: 'ferry.results', dlq: 'ferry.dlq', ledger: 'ferry.ledger' },
      groups: { work: 'ferry-work', quality: 'ferry-quality' },
    },
    queue: { type: 'local', url: '' },
    source: { type: 'local' },
    output: {
      type: 'local',
      bucket: 'lake',
      prefix: '',
      quarantinePrefix: 'quarantine',
      compression: DEFAULT_COMPRESSION,
    },
    bus: { type: 'local', projectId: '', topic: 'ferry-quality', endpoint: '' },
    aws: { region: 'us-east-1', endpoint: '' },
    gcs: { projectId: '', endpoint: '' },
    work: {
      maxAttempts: 3,
      retryBaseMs: 500,
      idleMs: 2000,
      decoder: 'fast',
      // far above a real nightly export, far below what would take a worker down
      limits: {
        maxObjectBytes: 10 * GIB,
        maxDecompressedBytes: 2 * GIB,
        maxRowBytes: 16 * MIB,
        maxRowsPerFile: 500_000_000,
        fileTimeoutMs: 30 * 60_000,
        // a real page is a few MiB at most; a larger declaration is damage or a bomb
        maxPageBytes: 256 * MIB,
        // a decoder that reads, writes or finishes no batch for this long is stuck, not slow
        stallMs: 60_000,
      },
    },
    log: { level: 'info' },
    network: { timeoutMs: 15_000 },
    monitor: { slackWebhookUrl: '', webhookUrl: '', webhookAuthorization: '', pingUrl: '' },
  }
}

export interface LoadOptions {
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** explicit config file (the --config flag); otherwise FERRY_CONFIG or ferry.config.{json,yaml,yml} in cwd */
  file?: string
  /** the datasets folder (the --datasets flag), relative to cwd; wins over FERRY_DATASETS and the file */
  datasets?: string
}

/** The config file the options lead to: --config, else FERRY_CONFIG, else ferry.config.* in cwd; none. */
export function configFile(options: LoadOptions = {}): string | undefined {
  const env = options.env ?? process.env
  const cwd = options.cwd ?? process.cwd()
  const file = options.file ?? env.FERRY_CONFIG ?? CONFIG_FILES.find((f) => existsSync(resolve(cwd, f)))
  return file === undefined ? undefined : resolve(cwd, file)
}

/**
 * Builds the one typed config: defaults, then the config file, then environment variables.
 * Every problem is collected and reported at once, so a broken deployment is fixed in one round.
 */
export function loadConfig(options: LoadOptions = {}): FerryConfig {
  const env = options.env ?? process.env
  const cwd = options.cwd ?? process.cwd()
  const problems: string[] = []
  let config: unknown = defaultConfig(env.FERRY_HOME ?? '.ferry')

  const file = configFile(options)
  if (file) config = deepMerge(config, readConfigFile(resolve(cwd, file)))
  config = deepMerge(config, fromEnv(env, problems))

  if (!validate(config)) problems.push(...(validate.errors ?? []).map(formatAjvError))
  if (problems.length) throw new ConfigError(`invalid configuration${file ? ` (file ${file})` : ''}`, problems)
  const valid = config as FerryConfig
  const configDir = file ? dirname(resolve(cwd, file)) : cwd
  return {
    ...valid,
    home: resolve(cwd, valid.home),
    datasets: datasetsDir(valid.datasets, options, env, configDir, cwd),
  }
}

/**
 * The datasets folder: --datasets, else FERRY_DATASETS (both relative to the working directory), else
 * `datasets:` in the config file (relative to the file), else a ./datasets folder beside the config
 * file or in the working directory; '' when there is none.
 */
function datasetsDir(fromFile: string, options: LoadOptions, env: NodeJS.ProcessEnv, configDir: string, cwd: string) {
  const given = options.datasets ?? env.FERRY_DATASETS
  if (given) return resolve(cwd, given)
  if (fromFile) return resolve(configDir, fromFile)
  const found = [configDir, cwd].map((dir) => resolve(dir, 'datasets')).find(isFolder)
  return found ?? ''
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

function readConfigFile(path: string): unknown {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}`, [], { cause: err })
  }
  try {
    return path.endsWith('.json') ? JSON.parse(text) : parseYaml(text)
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}`, [], {
      cause: err,
    })
  }
}

/** Environment variables as a partial config; malformed numbers are reported, unset ones ignored. */
function fromEnv(env: NodeJS.ProcessEnv, problems: string[]): Record<string, unknown> {
  const out: Record<string, Record<string, unknown>> = {}
  const set = (section: string, key: string, value: unknown) => {
    out[section] ??= {}
    out[section][key] = value
  }
  const int = (variable: string): number | undefined => {
    const raw = env[variable]
    if (raw === undefined || raw === '') return undefined
    if (!/^-?\d+$/.test(raw.trim())) {
      problems.push(`${variable}: must be an integer, got ${JSON.stringify(raw)}`)
      return undefined
    }
    return Number(raw)
  }
  if (env.FERRY_KAFKA_BROKERS) set('kafka', 'brokers', splitList(env.FERRY_KAFKA_BROKERS))
  const partitions = int('FERRY_KAFKA_PARTITIONS')
  if (partitions !== undefined) set('kafka', 'partitions', partitions)
  if (env.FERRY_SQS_QUEUE_URL) {
    set('queue', 'type', 'sqs')
    set('queue', 'url', env.FERRY_SQS_QUEUE_URL)
    set('source', 'type', 's3')
  }
  if (env.FERRY_SOURCE) set('source', 'type', env.FERRY_SOURCE)
  if (env.FERRY_OUTPUT_URL) {
    const match = /^gs:\/\/([^/]+)\/?(.*?)\/?$/.exec(env.FERRY_OUTPUT_URL)
    if (match) {
      set('output', 'type', 'gcs')
      set('output', 'bucket', match[1])
      set('output', 'prefix', match[2])
    } else
      problems.push(`FERRY_OUTPUT_URL: must look like gs://bucket/prefix, got ${JSON.stringify(env.FERRY_OUTPUT_URL)}`)
  }
  if (env.FERRY_QUARANTINE_PREFIX) set('output', 'quarantinePrefix', env.FERRY_QUARANTINE_PREFIX)
  if (env.FERRY_OUTPUT_COMPRESSION) set('output', 'compression', env.FERRY_OUTPUT_COMPRESSION)
  if (env.FERRY_PUBSUB_PROJECT) {
    set('bus', 'type', 'pubsub')
    set('bus', 'projectId', env.FERRY_PUBSUB_PROJECT)
  }
  if (env.FERRY_QUALITY_TOPIC) set('bus', 'topic', env.FERRY_QUALITY_TOPIC)
  if (env.PUBSUB_EMULATOR_HOST) set('bus', 'endpoint', env.PUBSUB_EMULATOR_HOST)
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION
  if (region) set('aws', 'region', region)
  if (env.AWS_ENDPOINT_URL) set('aws', 'endpoint', env.AWS_ENDPOINT_URL)
  if (env.STORAGE_EMULATOR_HOST) set('gcs', 'endpoint', env.STORAGE_EMULATOR_HOST)
  if (env.GOOGLE_CLOUD_PROJECT) set('gcs', 'projectId', env.GOOGLE_CLOUD_PROJECT)
  const attempts = int('FERRY_WORK_MAX_ATTEMPTS')
  if (attempts !== undefined) set('work', 'maxAttempts', attempts)
  const idle = int('FERRY_IDLE_MS')
  if (idle !== undefined) set('work', 'idleMs', idle)
  if (env.FERRY_PARQUET_DECODER) set('work', 'decoder', env.FERRY_PARQUET_DECODER)
  const limits: Record<string, number> = {}
  for (const [field, variable] of Object.entries(LIMIT_ENV)) {
    const value = int(variable)
    if (value !== undefined) limits[field] = value
  }
  if (Object.keys(limits).length > 0) set('work', 'limits', limits)
  if (env.FERRY_LOG_LEVEL) set('log', 'level', env.FERRY_LOG_LEVEL)
  const networkTimeout = int('FERRY_NETWORK_TIMEOUT_MS')
  if (networkTimeout !== undefined) set('network', 'timeoutMs', networkTimeout)
  if (env.FERRY_SLACK_WEBHOOK_URL) set('monitor', 'slackWebhookUrl', env.FERRY_SLACK_WEBHOOK_URL)
  if (env.FERRY_ALERT_WEBHOOK_URL) set('monitor', 'webhookUrl', env.FERRY_ALERT_WEBHOOK_URL)
  if (env.FERRY_ALERT_WEBHOOK_AUTHORIZATION)
    set('monitor', 'webhookAuthorization', env.FERRY_ALERT_WEBHOOK_AUTHORIZATION)
  if (env.FERRY_PING_URL) set('monitor', 'pingUrl', env.FERRY_PING_URL)
  return out
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}

function deepMerge(base: unknown, override: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(override)) return override === undefined ? base : override
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(override)) out[key] = deepMerge(base[key], value)
  return out
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function formatAjvError(error: ErrorObject): string {
  const path = error.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(root)'
  if (error.keyword === 'additionalProperties') {
    return `${path}: unknown field ${JSON.stringify(error.params.additionalProperty)}`
  }
  if (error.keyword === 'enum') return `${path}: ${error.message} (${error.params.allowedValues.join(', ')})`
  return `${path}: ${error.message}`
}
