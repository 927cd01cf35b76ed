/**
 * A Kafka cluster that is not there, or that never answers, ends a command at once with exit 2 and
 * one line naming the brokers, the setting that chose them and the cause: no stack trace, no minute
 * of client retries.
 */
import { mkdtempSync } from 'node:fs'
import { createServer, type Server, type Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runFerry } from '../../support/bin.js'
import { EXAMPLE_DATASETS } from '../../support/datasets.js'

/** stderr without Node's own version warnings (the AWS SDK warns on Node 20) */
function ferryLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line.startsWith('ferry '))
}

describe('an unreachable or silent Kafka', () => {
  let silent: Server
  let silentPort = 0
  const sockets: Socket[] = []
  const cwd = mkdtempSync(join(tmpdir(), 'ferry-unreachable-'))

  beforeAll(async () => {
    // accepts connections, never answers: a broker behind a dead proxy, a wrong port that listens
    silent = createServer((socket) => sockets.push(socket))
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
    silentPort = (silent.address() as { port: number }).port
  })

  afterAll(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => silent.close(resolve))
  })

  it.each([['status'], ['nightly'], ['work', '--until-idle']])(
    'ends ferry %s with one line naming FERRY_KAFKA_BROKERS',
    async (...args) => {
      const started = Date.now()
      const run = await runFerry(args, {
        cwd,
        env: { FERRY_KAFKA_BROKERS: '127.0.0.1:1', FERRY_DATASETS: EXAMPLE_DATASETS, FERRY_HOME: cwd },
      })
      expect(Date.now() - started).toBeLessThan(15_000)
      expect(run.code).toBe(2)
      expect(ferryLines(run.stderr)).toEqual([
        `ferry ${args[0]}: error [FERRY_KAFKA]: cannot reach Kafka at 127.0.0.1:1 (FERRY_KAFKA_BROKERS, or kafka.brokers in the config file): Connection error: connect ECONNREFUSED 127.0.0.1:1`,
      ])
      expect(run.stderr).not.toMatch(/^\s+at /m)
      expect(run.stderr).not.toContain('kafkajs')
    },
  )

  it('gives a silent broker FERRY_NETWORK_TIMEOUT_MS, then says so', async () => {
    const started = Date.now()
    const run = await runFerry(['status'], {
      cwd,
      env: { FERRY_KAFKA_BROKERS: `127.0.0.1:${silentPort}`, FERRY_NETWORK_TIMEOUT_MS: '2000', FERRY_HOME: cwd },
    })
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(run.code).toBe(2)
    expect(ferryLines(run.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^ferry status: error \\[FERRY_KAFKA\\]: cannot reach Kafka at 127\\.0\\.0\\.1:${silentPort} \\(FERRY_KAFKA_BROKERS, .*\\): `,
        ),
      ),
    ])
  })

  it.each([
    [
      'SQS',
      ['drain'],
      { FERRY_SQS_QUEUE_URL: 'http://127.0.0.1:1/123456789012/landing', AWS_ENDPOINT_URL: 'http://127.0.0.1:1' },
      'ferry drain: error [FERRY_NOTIFICATION]: cannot reach SQS at http://127.0.0.1:1 (FERRY_SQS_QUEUE_URL and AWS_ENDPOINT_URL, or queue.url and aws.endpoint in the config file): connect ECONNREFUSED 127.0.0.1:1',
    ],
    [
      'GCS',
      ['work', '--until-idle'],
      { FERRY_OUTPUT_URL: 'gs://lake', STORAGE_EMULATOR_HOST: 'http://127.0.0.1:1' },
      /^ferry work: error \[FERRY_SINK_WRITE\]: cannot reach GCS at http:\/\/127\.0\.0\.1:1 \(FERRY_OUTPUT_URL and STORAGE_EMULATOR_HOST, .*\): .*ECONNREFUSED/,
    ],
    [
      'Pub/Sub',
      ['quality', '--until-idle'],
      { FERRY_PUBSUB_PROJECT: 'ferry-test', PUBSUB_EMULATOR_HOST: '127.0.0.1:1' },
      /^ferry quality: error \[FERRY_PUBSUB\]: cannot reach Pub\/Sub at 127\.0\.0\.1:1 \(FERRY_PUBSUB_PROJECT and PUBSUB_EMULATOR_HOST, .*\): .*UNAVAILABLE/,
    ],
  ])(
    'ends at once when %s is unreachable, naming the endpoint and its setting',
    async (_, args, endpoint, expected) => {
      const home = mkdtempSync(join(tmpdir(), 'ferry-unreachable-'))
      const started = Date.now()
      const run = await runFerry(args, {
        cwd: home,
        env: {
          FERRY_HOME: home,
          FERRY_DATASETS: EXAMPLE_DATASETS,
          AWS_ACCESS_KEY_ID: 'x',
          AWS_SECRET_ACCESS_KEY: 'y',
          ...endpoint,
        },
      })
      expect(Date.now() - started).toBeLessThan(15_000)
      expect(run.code).toBe(2)
      const lines = ferryLines(run.stderr)
      expect(lines).toHaveLength(1)
      if (typeof expected === 'string') expect(lines[0]).toBe(expected)
      else expect(lines[0]).toMatch(expected)
      expect(run.stderr).not.toMatch(/^\s+at /m)
    },
  )
})
