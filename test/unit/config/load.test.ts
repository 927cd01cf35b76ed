import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultConfig, loadConfig } from '../../../src/config/load.js'
import { ConfigError } from '../../../src/errors.js'

const emptyDir = () => mkdtempSync(join(tmpdir(), 'ferry-config-'))

describe('loadConfig', () => {
  it('uses the local default when nothing is configured', () => {
    const cwd = emptyDir()
    const config = loadConfig({ env: {}, cwd })
    expect(config).toEqual({ ...defaultConfig(), home: join(cwd, '.ferry') })
    expect(config.kafka.brokers).toEqual([])
    expect(config.queue.type).toBe('local')
    expect(config.output.type).toBe('local')
    expect(config.bus.type).toBe('local')
  })

  it('switches each port to its cloud adapter from the standard variables', () => {
    const config = loadConfig({
      cwd: emptyDir(),
      env: {
        FERRY_KAFKA_BROKERS: 'kafka-1:9092, kafka-2:9092',
        FERRY_SQS_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/landing',
        FERRY_OUTPUT_URL: 'gs://acme-lake/ferry/out',
        FERRY_PUBSUB_PROJECT: 'acme-data',
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL: 'http://127.0.0.1:5000',
        STORAGE_EMULATOR_HOST: 'http://127.0.0.1:4443',
      },
    })
    expect(config.kafka.brokers).toEqual(['kafka-1:9092', 'kafka-2:9092'])
    expect(config.queue).toEqual({ type: 'sqs', url: 'https://sqs.eu-west-1.amazonaws.com/123456789012/landing' })
    expect(config.source.type).toBe('s3')
    expect(config.output).toMatchObject({ type: 'gcs', bucket: 'acme-lake', prefix: 'ferry/out' })
    expect(config.bus).toMatchObject({ type: 'pubsub', projectId: 'acme-data' })
    expect(config.aws).toEqual({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:5000' })
    expect(config.gcs.endpoint).toBe('http://127.0.0.1:4443')
  })

  it('sets each per-file limit from its variable, keeps the others, and names a bad one', () => {
    const config = loadConfig({
      cwd: emptyDir(),
      env: { FERRY_MAX_ROW_BYTES: '65536', FERRY_FILE_TIMEOUT_MS: '60000', FERRY_PARQUET_DECODER: 'hyparquet' },
    })
    expect(config.work.limits).toEqual({ ...defaultConfig().work.limits, maxRowBytes: 65536, fileTimeoutMs: 60000 })
    expect(config.work.decoder).toBe('hyparquet')
    const problems = (env: NodeJS.ProcessEnv) => {
      try {
        loadConfig({ cwd: emptyDir(), env })
      } catch (err) {
        return (err as ConfigError).problems
      }
      return []
    }
    expect(problems({ FERRY_MAX_OBJECT_BYTES: '10GB' })).toEqual([
      'FERRY_MAX_OBJECT_BYTES: must be an integer, got "10GB"',
    ])
    expect(problems({ FERRY_MAX_ROWS_PER_FILE: '0', FERRY_FILE_TIMEOUT_MS: '5' })).toEqual([
      'work.limits.maxRowsPerFile: must be >= 1',
      'work.limits.fileTimeoutMs: must be >= 100',
    ])
  })

  it('merges a YAML file under the environment', () => {
    const cwd = emptyDir()
    writeFileSync(join(cwd, 'ferry.config.yaml'), 'kafka:\n  partitions: 8\nwork:\n  maxAttempts: 5\n')
    const config = loadConfig({ cwd, env: { FERRY_WORK_MAX_ATTEMPTS: '7' } })
    expect(config.kafka.partitions).toBe(8)
    expect(config.work.maxAttempts).toBe(7)
  })

  it('lists every bad field at once', () => {
    const cwd = emptyDir()
    writeFileSync(
      join(cwd, 'ferry.config.json'),
      JSON.stringify({ kafka: { partitions: 0, brokers: ['no-port'] }, output: { bucket: 'X' }, surprise: true }),
    )
    let error: unknown
    try {
      loadConfig({ cwd, env: { FERRY_KAFKA_PARTITIONS: 'many', FERRY_LOG_LEVEL: 'loud' } })
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(ConfigError)
    const problems = (error as ConfigError).problems
    expect(problems).toContain('FERRY_KAFKA_PARTITIONS: must be an integer, got "many"')
    expect(problems).toContain('kafka.partitions: must be >= 1')
    expect(problems.some((p) => p.startsWith('kafka.brokers.0: must match pattern'))).toBe(true)
    expect(problems.some((p) => p.startsWith('output.bucket: must match pattern'))).toBe(true)
    expect(problems).toContain('(root): unknown field "surprise"')
    expect(problems.some((p) => p.startsWith('log.level: must be equal to one of the allowed values'))).toBe(true)
  })

  it('rejects a malformed output URL and a config file that does not parse', () => {
    const cwd = emptyDir()
    expect(() => loadConfig({ cwd, env: { FERRY_OUTPUT_URL: 's3://wrong' } })).toThrow(/FERRY_OUTPUT_URL/)
    writeFileSync(join(cwd, 'broken.json'), '{ nope')
    expect(() => loadConfig({ cwd, env: {}, file: 'broken.json' })).toThrow(/not valid JSON/)
    expect(() => loadConfig({ cwd, env: {}, file: 'missing.json' })).toThrow(/cannot read config file/)
  })

  it('requires a project when Pub/Sub is chosen in the file', () => {
    const cwd = emptyDir()
    writeFileSync(join(cwd, 'ferry.config.json'), JSON.stringify({ bus: { type: 'pubsub' } }))
    expect(() => loadConfig({ cwd, env: {} })).toThrow(/bus.projectId: must NOT have fewer than 1 characters/)
  })

  it('finds the datasets folder: --datasets, FERRY_DATASETS, the file, then ./datasets beside the file or here', () => {
    const cwd = emptyDir()
    expect(loadConfig({ cwd, env: {} }).datasets).toBe('')
    mkdirSync(join(cwd, 'datasets'))
    expect(loadConfig({ cwd, env: {} }).datasets).toBe(join(cwd, 'datasets'))
    const project = join(cwd, 'project')
    mkdirSync(join(project, 'datasets'), { recursive: true })
    writeFileSync(join(project, 'ferry.config.yaml'), 'log: { level: warn }\n')
    // beside the config file wins over the working directory's
    expect(loadConfig({ cwd, env: { FERRY_CONFIG: 'project/ferry.config.yaml' } }).datasets).toBe(
      join(project, 'datasets'),
    )
    writeFileSync(join(project, 'ferry.config.yaml'), 'datasets: ../shared/datasets\n')
    expect(loadConfig({ cwd, env: {}, file: 'project/ferry.config.yaml' }).datasets).toBe(join(cwd, 'shared/datasets'))
    expect(loadConfig({ cwd, env: { FERRY_DATASETS: 'env-ds' }, file: 'project/ferry.config.yaml' }).datasets).toBe(
      join(cwd, 'env-ds'),
    )
    expect(loadConfig({ cwd, env: { FERRY_DATASETS: 'env-ds' }, datasets: '/abs/flag-ds' }).datasets).toBe(
      '/abs/flag-ds',
    )
  })
})
