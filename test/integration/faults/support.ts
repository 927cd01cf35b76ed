import { createHash } from 'node:crypto'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs'
import { pino } from 'pino'
import { expect } from 'vitest'
import { GcsObjectStore } from '../../../src/adapters/gcs/object-store.js'
import { KafkaAdmin } from '../../../src/adapters/kafka/admin.js'
import { PubSubEventBus } from '../../../src/adapters/pubsub/event-bus.js'
import { processFile } from '../../../src/core/engine.js'
import {
  type DeadLetter,
  decodeMessage,
  type FileResult,
  type ObjectMessage,
  type QualityEvent,
  validators,
} from '../../../src/core/messages.js'
import { outputKey, quarantineKey } from '../../../src/core/output-path.js'
import { generateSampleNight, type SampleFile } from '../../../src/core/sample-night.js'
import type { BusSubscription } from '../../../src/ports.js'
import { orders } from '../../support/datasets.js'
import type { TestEndpoints } from '../../support/endpoints.js'
import { AWS, type CliRun, Exit, type FerryWorld, ferry } from '../../support/ferry-env.js'

/**
 * How long a dependency stays down in the outage tests. The requirement is 30 s; CI can shorten it
 * with FERRY_FAULT_OUTAGE_MS (the assertions do not depend on it).
 */
export const OUTAGE_MS = outageMs(process.env.FERRY_FAULT_OUTAGE_MS)

function outageMs(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 30_000
  const ms = Number(raw)
  if (!Number.isInteger(ms) || ms < 0) throw new Error(`FERRY_FAULT_OUTAGE_MS must be a whole number of ms, got ${raw}`)
  return ms
}

/** A small deterministic night: enough files for several SQS batches, small enough to stay quick. */
export function sampleFiles(files: number, seed: number): SampleFile[] {
  return generateSampleNight({ date: '2026-11-23', files, seed }).files
}

export async function upload(world: FerryWorld, files: SampleFile[]): Promise<void> {
  for (const file of files) {
    await world.s3.send(new PutObjectCommand({ Bucket: world.landing, Key: file.key, Body: file.bytes }))
  }
}

export const silent = pino({ enabled: false })

/** Every record of a topic, decoded: a throwaway group reads from the start to the current end. */
export async function readTopic<T>(brokers: string, topic: string, decode: (value: Buffer) => T): Promise<T[]> {
  const admin = new KafkaAdmin({ brokers: [brokers], clientId: 'faults-reader', logger: silent })
  const out: T[] = []
  try {
    await admin.readTopic(topic, (record) => out.push(decode(record.value)))
  } finally {
    await admin.close()
  }
  return out
}

export const decodeObject = (v: Buffer): ObjectMessage => decodeMessage(validators.object, v)
export const decodeResult = (v: Buffer): FileResult => decodeMessage(validators.fileResult, v)
export const decodeDeadLetter = (v: Buffer): DeadLetter => decodeMessage(validators.deadLetter, v)

const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex')

/**
 * What a clean run writes for these files: the same engine on the same bytes, no infrastructure in
 * between. Output paths depend only on the source identity and the event date, so any run, clean or
 * not, must leave exactly these objects with exactly these bytes.
 */
export async function cleanOutputs(
  world: FerryWorld,
  files: SampleFile[],
  eventDate: string,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {}
  for (const file of files) {
    if (file.expect.corrupt) continue
    const identity = { bucket: world.landing, key: file.key }
    const processed = await processFile(file.bytes, orders)
    out[outputKey('', orders.name, eventDate, identity)] = md5(processed.output)
    if (processed.quarantine)
      out[quarantineKey('quarantine', orders.name, eventDate, identity)] = md5(processed.quarantine)
  }
  return out
}

/** The data objects in the world's output bucket (the metrics history under _ferry/ records each run). */
export async function outputSnapshot(endpoints: TestEndpoints, world: FerryWorld): Promise<Record<string, string>> {
  const gcs = new GcsObjectStore({ apiEndpoint: endpoints.gcs, projectId: 'ferry-test' })
  const out: Record<string, string> = {}
  for await (const info of gcs.list(world.lake, '')) {
    if (info.key.startsWith('_ferry/')) continue
    out[info.key] = md5(await gcs.get(world.lake, info.key))
  }
  return out
}

/** Messages still on the queue: visible (never drained) and in flight (received, not deleted). */
export async function queueDepth(endpoints: TestEndpoints, world: FerryWorld) {
  const sqs = new SQSClient({ ...AWS, endpoint: endpoints.aws })
  try {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: world.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    )
    return {
      visible: Number(Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    }
  } finally {
    sqs.destroy()
  }
}

/**
 * The night's outputs are those of a clean run: every file has a result and (but the corrupt one) its
 * output objects, byte for byte; nothing but the corrupt file was ever dead-lettered, so no fault
 * turned into a data verdict; every file was queued. Returns the results for further checks.
 */
export async function expectCleanNight(
  endpoints: TestEndpoints,
  world: FerryWorld,
  files: SampleFile[],
  brokers: string,
): Promise<FileResult[]> {
  const objects = await readTopic(brokers, world.topics.objects, decodeObject)
  const keys = files.map((f) => f.key).sort()
  expect([...new Set(objects.map((o) => o.key))].sort(), 'every uploaded file reached ferry.objects').toEqual(keys)

  const results = await readTopic(brokers, world.topics.results, decodeResult)
  expect([...new Set(results.map((r) => r.source.key))].sort(), 'every file has a result').toEqual(keys)
  for (const result of results) {
    const file = files.find((f) => f.key === result.source.key) as SampleFile
    if (file.expect.corrupt) {
      expect(result).toMatchObject({ status: 'dead-lettered', error: { code: 'FERRY_FORMAT' } })
    } else {
      expect(result, `${file.key}: a fault must not become a verdict`).toMatchObject({
        status: 'written',
        rowsIn: file.expect.rows,
        rowsRejected: file.expect.invalidRows,
      })
    }
  }
  const dead = await readTopic(brokers, world.topics.dlq, decodeDeadLetter)
  const corrupt = files.filter((f) => f.expect.corrupt).map((f) => f.key)
  expect(dead.length).toBeGreaterThan(0)
  for (const letter of dead) {
    expect({ key: letter.object?.key, code: letter.error.code }).toEqual({ key: corrupt[0], code: 'FERRY_FORMAT' })
  }

  const dates = [...new Set(results.map((r) => r.eventDate))]
  expect(dates).toHaveLength(1)
  expect(await outputSnapshot(endpoints, world)).toEqual(await cleanOutputs(world, files, dates[0] as string))
  expect((await queueDepth(endpoints, world)).visible, 'nothing left undrained').toBe(0)
  return results
}

/** The file verdicts a clean run publishes: the corrupt file and the 9%-rejected one fail. */
export function expectedVerdicts(files: SampleFile[]): Record<string, 'pass' | 'fail'> {
  return Object.fromEntries(
    files.map((f) => [
      f.key,
      f.expect.corrupt || f.expect.invalidRows / f.expect.rows > orders.quality.maxRejectedRate ? 'fail' : 'pass',
    ]),
  )
}

/** The last line of `ferry nightly` for a clean night of these files. */
export function summaryLine(files: SampleFile[]): string {
  const verdicts = Object.values(expectedVerdicts(files))
  const fail = verdicts.filter((v) => v === 'fail').length
  const invalid = files.reduce((n, f) => n + f.expect.invalidRows, 0)
  const dead = files.filter((f) => f.expect.corrupt).length
  return `files=${files.length} written=${files.length - dead} quarantined_rows=${invalid} dead_lettered=${dead} quality_pass=${files.length - fail} quality_fail=${fail}`
}

/** File-scope quality events on the world's topic, through a subscription made before any run. */
export interface QualityWatch {
  events: QualityEvent[]
  /** the latest verdict per source key */
  verdicts(): Record<string, 'pass' | 'fail'>
  close(): Promise<void>
}

export async function watchQuality(endpoints: TestEndpoints, world: FerryWorld): Promise<QualityWatch> {
  const bus = new PubSubEventBus({ projectId: endpoints.pubsubProject, apiEndpoint: endpoints.pubsub })
  await bus.ensureTopic(world.topics.quality)
  const name = `faults-watch-${world.id}`
  const events: QualityEvent[] = []
  let subscription: BusSubscription | undefined
  try {
    subscription = await bus.subscribe(
      world.topics.quality,
      name,
      { create: true, attributes: { scope: 'file' } },
      async (m) => {
        events.push(JSON.parse(m.data.toString('utf8')) as QualityEvent)
      },
    )
  } catch (err) {
    await bus.close()
    throw err
  }
  return {
    events,
    verdicts: () => Object.fromEntries(events.map((e) => [e.source.key, e.status])),
    async close() {
      await subscription?.close()
      await bus.deleteSubscription(name)
      await bus.close()
    },
  }
}

export async function waitFor(condition: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

/** A test that waits out an outage needs the outage on top of the usual time. */
export const OUTAGE_TEST_TIMEOUT = OUTAGE_MS + 120_000

/**
 * A run that did not complete must have failed loudly: exit 2 and an error on stderr. Returns whether
 * it completed (exit 0, or 1 for data problems such as the corrupt file).
 */
export function completedOrFailedLoudly(run: CliRun, command: string): boolean {
  if (run.code === Exit.OK || run.code === Exit.DATA) return true
  expect(run.code, `${command}: ${run.err.join('\n')}`).toBe(Exit.ERROR)
  expect(run.err.join('\n')).toMatch(new RegExp(`ferry ${command}: error \\[FERRY_`))
  return false
}

/** Runs the command until it completes, at most `max` times; every failed run must have been loud. */
export async function runUntilComplete(
  world: FerryWorld,
  argv: string[],
  max = 3,
): Promise<{ runs: CliRun[]; last: CliRun }> {
  const runs: CliRun[] = []
  for (let i = 0; i < max; i++) {
    const run = await ferry(world, argv)
    runs.push(run)
    if (completedOrFailedLoudly(run, argv[0] as string)) return { runs, last: run }
  }
  throw new Error(`ferry ${argv.join(' ')} did not complete in ${max} runs`)
}
