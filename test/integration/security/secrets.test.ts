import { randomBytes } from 'node:crypto'
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, join, relative } from 'node:path'
import {
  CreateBucketCommand,
  PutBucketNotificationConfigurationCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs'
import { describe, expect, inject, it } from 'vitest'
import { generateSampleNight } from '../../../src/core/sample-night.js'
import { objectCreatedBody } from '../../../src/producers/object-created.js'
import { type BinRun, runFerry } from '../../support/bin.js'
import { EXAMPLE_DATASETS } from '../../support/datasets.js'
import { startHttpRecorder } from '../../support/http-recorder.js'
import { busMessages, filesUnder, plantSampleNight } from './support.js'

/**
 * Secrets planted in the environment of a real `ferry nightly` (the built bin, log level debug) must
 * not appear in anything it writes: stdout, stderr, quality events (decoded from the bus file), the
 * broker's data files (ferry.results, ferry.dlq, ferry.ledger), the outputs, their metadata sidecars
 * and the metrics file. Every planted value contains PLANTED; the search is case-insensitive.
 */

const MARK = /planted/i

/** The values the monitoring settings and the AWS SDK's default credential chain would read. */
function plantedSecrets(endpoint: string): NodeJS.ProcessEnv {
  return {
    AWS_ACCESS_KEY_ID: 'AKIAPLANTED000000000',
    AWS_SECRET_ACCESS_KEY: 'PLANTED-aws-secret-wJalrXUtnFEMI/K7MDENG/bPxRfiCY',
    AWS_SESSION_TOKEN: 'PLANTED-aws-session-token',
    FERRY_SLACK_WEBHOOK_URL: `${endpoint}/services/T0/B0/PLANTEDslack`,
    FERRY_PING_URL: `${endpoint}/ping/PLANTED-ping`,
    FERRY_ALERT_WEBHOOK_URL: `${endpoint}/hooks/PLANTED-hook`,
    FERRY_ALERT_WEBHOOK_AUTHORIZATION: 'Bearer PLANTED-token',
  }
}

interface Capture {
  name: string
  text: string
}

/** stdout, stderr, every file under FERRY_HOME as raw bytes, and the bus messages decoded from base64. */
function everythingWritten(home: string, run: BinRun): Capture[] {
  const captures: Capture[] = [
    { name: 'stdout', text: run.stdout },
    { name: 'stderr', text: run.stderr },
  ]
  for (const file of filesUnder(home)) {
    captures.push({ name: relative(home, file), text: readFileSync(file).toString('latin1') })
    if (file.endsWith('.jsonl') && file.includes(`${join(home, 'events')}`)) {
      captures.push({ name: `${relative(home, file)} (decoded)`, text: JSON.stringify(busMessages(file)) })
    }
  }
  return captures
}

/** Where a planted value shows, with some context; [] when nowhere. */
function leaks(captures: Capture[]): string[] {
  const found: string[] = []
  for (const { name, text } of captures) {
    for (const match of text.matchAll(new RegExp(MARK.source, 'gi'))) {
      found.push(`${name}: …${text.slice(Math.max(0, match.index - 80), match.index + 40)}…`)
    }
  }
  return found
}

function nightlyEnv(home: string, extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    FERRY_HOME: home,
    FERRY_DATASETS: EXAMPLE_DATASETS,
    FERRY_IDLE_MS: '300',
    FERRY_LOG_LEVEL: 'debug',
    FERRY_LOG_FORMAT: 'json',
    ...extra,
  }
}

/** What proves the captures are worth searching: debug logs, readable topic data, decoded events, sidecars. */
function expectCapturesAreMeaningful(home: string, run: BinRun, files: number): void {
  expect(run.stderr).toContain('"level":"debug"')
  // The embedded broker of `nightly` listens on loopback only.
  expect(run.stderr).toMatch(/"msg":"embedded broker started"/)
  for (const [, address] of run.stderr.matchAll(/"address":"([^"]+)"/g)) expect(address).toMatch(/^127\.0\.0\.1:\d+$/)
  // The corrupt file's dead letter (ferry.dlq) and result (ferry.results) are stored uncompressed: grep sees them.
  const brokerFiles = filesUnder(join(home, 'broker'))
  const stored = brokerFiles.map((f) => readFileSync(f).toString('latin1')).join('\n')
  expect(stored).toContain('file could not be processed')
  expect(stored).toContain('"schema":"ferry.file-result/v1"')
  const events = busMessages(join(home, 'events', 'ferry-quality.jsonl'))
  expect(events.filter((e) => e.scope === 'file')).toHaveLength(files)
  const sidecars = filesUnder(join(home, 'buckets', '.meta', 'lake'))
  // the outputs' sidecars carry the run's metadata (ferry_run_id, ferry_source...)
  expect(sidecars.some((f) => readFileSync(f, 'utf8').includes('"ferry_run_id"'))).toBe(true)
}

describe('ferry nightly with planted secrets (local default, debug logs)', () => {
  it('delivers to the planted endpoints but writes none of them anywhere', { timeout: 120_000 }, async () => {
    const recorder = await startHttpRecorder()
    try {
      const home = mkdtempSync(join(tmpdir(), 'ferry-secrets-'))
      const night = await plantSampleNight(home)
      const run = await runFerry(['nightly', '--metrics-file', join(home, 'ferry.prom')], {
        cwd: home,
        env: nightlyEnv(home, plantedSecrets(recorder.url)),
      })
      expect(run.code, run.stderr).toBe(1)
      expect(run.stdout).toMatch(/files=6 written=5 .* dead_lettered=1 /)

      // The secrets were in use: the pings, the Slack message and the authorised webhook went out.
      const paths = recorder.requests.map((r) => r.path)
      expect(paths).toContain('/ping/PLANTED-ping/start')
      expect(paths).toContain('/ping/PLANTED-ping/fail')
      expect(paths).toContain('/services/T0/B0/PLANTEDslack')
      const hook = recorder.requests.find((r) => r.path === '/hooks/PLANTED-hook')
      expect(hook?.headers.authorization).toBe('Bearer PLANTED-token')

      expectCapturesAreMeaningful(home, run, night.length)
      expect(existsSync(join(home, 'ferry.prom'))).toBe(true)
      expect(leaks(everythingWritten(home, run))).toEqual([])
    } finally {
      await recorder.close()
    }
  })

  it('keeps them out of what it writes when every endpoint fails and echoes its request back', {
    timeout: 180_000,
  }, async () => {
    // An error page quoting the request it got: the URL (its path is the credential), the
    // Authorization header, and the bare token on its own, as "invalid token: ..." pages do.
    const paths: string[] = []
    const server = createServer((req, res) => {
      paths.push(new URL(req.url ?? '/', 'http://echo').pathname)
      const auth = req.headers.authorization ?? ''
      req.resume()
      req.on('end', () => {
        res.writeHead(500, { 'content-type': 'text/plain' })
        res.end(
          `cannot ${req.method} http://${req.headers.host}${req.url} (Authorization: ${auth}; invalid token: ${auth.split(' ')[1] ?? ''})`,
        )
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    try {
      const home = mkdtempSync(join(tmpdir(), 'ferry-secrets-'))
      const night = await plantSampleNight(home)
      const run = await runFerry(['nightly'], {
        cwd: home,
        env: nightlyEnv(home, plantedSecrets(`http://127.0.0.1:${port}`)),
      })
      // A monitoring outage never changes the night's verdict.
      expect(run.code, run.stderr).toBe(1)
      // Every sink went through its retries and final failure, all logged with the server's answer.
      expect(run.stderr).toContain('answered 500: cannot POST')
      expect(run.stderr).toContain('heartbeat ping failed; the night goes on')
      expect(paths.filter((p) => p === '/hooks/PLANTED-hook').length).toBeGreaterThan(1)
      expect(paths.filter((p) => p === '/services/T0/B0/PLANTEDslack').length).toBeGreaterThan(1)
      expect(paths.filter((p) => p.startsWith('/ping/PLANTED-ping')).length).toBeGreaterThan(1)

      expectCapturesAreMeaningful(home, run, night.length)
      expect(leaks(everythingWritten(home, run))).toEqual([])
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})

describe('ferry nightly with a bad monitoring configuration', () => {
  const cases: Array<{ name: string; env?: NodeJS.ProcessEnv; file?: object; names: string }> = [
    {
      name: 'Slack URL that is no URL',
      env: { FERRY_SLACK_WEBHOOK_URL: 'not-a-url-PLANTED' },
      names: 'slackWebhookUrl',
    },
    { name: 'ping URL that does not parse', env: { FERRY_PING_URL: 'http://[PLANTED-ping' }, names: 'FERRY_PING_URL' },
    {
      name: 'Slack URL with a space in the host',
      env: { FERRY_SLACK_WEBHOOK_URL: 'https://hooks slack.invalid/services/PLANTED' },
      names: 'Slack webhook URL',
    },
    {
      name: 'webhook URL that is not http(s)',
      env: { FERRY_ALERT_WEBHOOK_URL: 'ftp://hooks.invalid/PLANTED-hook' },
      names: 'webhookUrl',
    },
    {
      name: 'config file with bad secret URLs',
      file: { monitor: { slackWebhookUrl: 'not-a-url-PLANTED', pingUrl: 'PLANTED-ping' } },
      names: 'pingUrl',
    },
  ]

  for (const c of cases) {
    it(`exits 2 naming the setting, never its value: ${c.name}`, async () => {
      const home = mkdtempSync(join(tmpdir(), 'ferry-secrets-config-'))
      const configFile = join(home, 'ferry.config.json')
      if (c.file) writeFileSync(configFile, JSON.stringify(c.file))
      const run = await runFerry(['nightly'], {
        cwd: home,
        env: nightlyEnv(home, {
          AWS_SECRET_ACCESS_KEY: 'PLANTED-aws-secret',
          FERRY_ALERT_WEBHOOK_AUTHORIZATION: 'Bearer PLANTED-token',
          ...c.env,
        }),
      })
      expect(run.code, run.stdout + run.stderr).toBe(2)
      expect(run.stderr).toContain('[FERRY_CONFIG]')
      expect(run.stderr).toContain(c.names)
      const written = filesUnder(home).filter((f) => f !== configFile)
      const captures = [
        { name: 'stdout', text: run.stdout },
        { name: 'stderr', text: run.stderr },
        ...written.map((f) => ({ name: basename(f), text: readFileSync(f).toString('latin1') })),
      ]
      expect(leaks(captures)).toEqual([])
    })
  }
})

describe('ferry nightly reading S3 and SQS (moto) with planted AWS credentials', () => {
  it('signs with them but never writes them, not even for a missing object', { timeout: 120_000 }, async () => {
    const endpoint = inject('endpoints').aws
    const id = randomBytes(4).toString('hex')
    const aws = { region: 'us-east-1', endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } }
    const s3 = new S3Client({ ...aws, forcePathStyle: true })
    const sqs = new SQSClient(aws)
    const bucket = `landing-sec-${id}`
    const queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: `ferry-sec-${id}` }))).QueueUrl ?? ''
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }))
    await s3.send(new CreateBucketCommand({ Bucket: bucket }))
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: bucket,
        NotificationConfiguration: {
          QueueConfigurations: [{ QueueArn: attrs.Attributes?.QueueArn, Events: ['s3:ObjectCreated:*'] }],
        },
      }),
    )
    const night = generateSampleNight({ date: '2026-11-22', files: 4, seed: 5 }).files
    for (const file of night) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: file.key, Body: file.bytes }))
    // A notification for an object that is not there: S3 answers 404 through the SDK's error path.
    const ghost = { bucket, key: 'orders/2026-11-22/orders-ghost.parquet', size: 10, etag: 'abc' }
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: objectCreatedBody(ghost, new Date()) }))

    const home = mkdtempSync(join(tmpdir(), 'ferry-secrets-aws-'))
    const run = await runFerry(['nightly', '--wait-seconds', '1'], {
      cwd: home,
      env: nightlyEnv(home, {
        FERRY_SQS_QUEUE_URL: queueUrl,
        AWS_ENDPOINT_URL: endpoint,
        AWS_REGION: 'us-east-1',
        FERRY_WORK_MAX_ATTEMPTS: '2',
        ...plantedSecrets('http://127.0.0.1:9'),
        // No monitoring here: this run is about the AWS credentials.
        FERRY_SLACK_WEBHOOK_URL: '',
        FERRY_PING_URL: '',
        FERRY_ALERT_WEBHOOK_URL: '',
      }),
    })
    expect(run.code, run.stderr).toBe(1)
    expect(run.stdout).toMatch(/files=5 written=3 .* dead_lettered=2 /)
    expect(run.stderr).toContain('orders-ghost.parquet')
    expect(run.stderr).toContain('"level":"debug"')
    expect(leaks(everythingWritten(home, run))).toEqual([])
  })
})
