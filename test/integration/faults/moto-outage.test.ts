import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { FileResult } from '../../../src/core/messages.js'
import type { SampleFile } from '../../../src/core/sample-night.js'
import { type FaultProxy, startFaultProxy } from '../../support/fault-proxy.js'
import { createWorld, Exit, type FerryWorld, ferry } from '../../support/ferry-env.js'
import {
  completedOrFailedLoudly,
  expectCleanNight,
  expectedVerdicts,
  OUTAGE_MS,
  OUTAGE_TEST_TIMEOUT,
  type QualityWatch,
  sampleFiles,
  sleep,
  summaryLine,
  upload,
  waitFor,
  watchQuality,
} from './support.js'

const endpoints = inject('endpoints')

interface ProxiedWorld {
  world: FerryWorld
  proxy: FaultProxy
  files: SampleFile[]
  watch: QualityWatch
}

/** A world whose Ferry reaches moto (S3 and SQS) only through a fault proxy; the test's own setup does not. */
async function proxiedWorld(seed: number): Promise<ProxiedWorld> {
  const world = await createWorld(endpoints)
  const proxy = await startFaultProxy({ target: endpoints.aws })
  world.env.AWS_ENDPOINT_URL = proxy.url
  const queueUrl = new URL(world.queueUrl)
  queueUrl.host = `${proxy.host}:${proxy.port}`
  world.env.FERRY_SQS_QUEUE_URL = queueUrl.toString()
  const files = sampleFiles(12, seed)
  const watch = await watchQuality(endpoints, world)
  await upload(world, files)
  return { world, proxy, files, watch }
}

/**
 * Takes moto away for OUTAGE_MS (FERRY_FAULT_OUTAGE_MS, default 30 s) the first time `channel`
 * reports progress that `mine` accepts: every open connection is reset and new ones are refused.
 */
function outageOn(proxy: FaultProxy, channelName: string, mine: (message: unknown) => boolean) {
  let outage: Promise<void> | undefined
  const listener = (message: unknown) => {
    if (outage || !mine(message)) return
    unsubscribe(channelName, listener)
    proxy.pause()
    outage = sleep(OUTAGE_MS).then(() => proxy.resume())
  }
  subscribe(channelName, listener)
  return {
    fired: () => outage !== undefined,
    over: async () => {
      unsubscribe(channelName, listener)
      await outage
    },
  }
}

/**
 * moto (S3 + SQS) is unreachable for 30 s, once in the middle of the drain and once while the worker
 * downloads sources. Each night must either wait it out, or fail loudly (exit 2, an error) and have
 * the next run, once moto is back, finish with the outputs of a clean night and nothing lost.
 * The two scenarios use separate worlds and run concurrently, so their outages overlap in time.
 */
describe.concurrent('fault: moto is unavailable for 30 s', () => {
  let drainCase: ProxiedWorld
  let workCase: ProxiedWorld
  const report: string[] = []

  beforeAll(async () => {
    drainCase = await proxiedWorld(31)
    workCase = await proxiedWorld(32)
    // The work scenario starts from a drained queue, so only the drain scenario drains while armed.
    const drained = await ferry(workCase.world, ['drain', '--wait-seconds', '1'])
    expect(drained.code, drained.err.join('\n')).toBe(Exit.OK)
  })

  afterAll(async () => {
    for (const c of [drainCase, workCase]) {
      await c?.watch.close()
      await c?.proxy.close()
    }
    console.info(`[faults] moto-outage (${OUTAGE_MS} ms): ${report.join('; ')}`)
  })

  it('during the drain', { timeout: OUTAGE_TEST_TIMEOUT }, async () => {
    const { world, proxy, files, watch } = drainCase
    const outage = outageOn(proxy, 'ferry:drain', () => true)
    const first = await ferry(world, ['nightly', '--wait-seconds', '1'])
    expect(outage.fired(), 'the outage began mid-drain').toBe(true)
    const completed = completedOrFailedLoudly(first, 'nightly')
    await outage.over()
    const faults = proxy.stats.refused + proxy.stats.reset
    // The next run, once moto is back, judges the whole night: the files the failed run queued too.
    const last = completed ? first : await ferry(world, ['nightly', '--wait-seconds', '1'])
    expect(last.code, last.err.join('\n')).toBe(Exit.DATA)
    expect(last.out.at(-1)).toBe(summaryLine(files))
    const runs = completed ? 1 : 2
    await expectCleanNight(endpoints, world, files, endpoints.kafka)
    await waitFor(() => Object.keys(watch.verdicts()).length >= files.length, 'a verdict for every file')
    expect(watch.verdicts()).toEqual(expectedVerdicts(files))
    report.push(
      `drain: 1 outage, ${faults} connection(s) refused or reset, ${runs} run(s), first exit ${first.code}, survived`,
    )
  })

  it("during the worker's S3 downloads", { timeout: OUTAGE_TEST_TIMEOUT }, async () => {
    const { world, proxy, files, watch } = workCase
    const outage = outageOn(proxy, 'ferry:file', (m) => (m as FileResult).source.bucket === world.landing)
    const first = await ferry(world, ['work', '--until-idle'])
    expect(outage.fired(), 'the outage began mid-work').toBe(true)
    const completed = completedOrFailedLoudly(first, 'work')
    await outage.over()
    const faults = proxy.stats.refused + proxy.stats.reset
    let runs = 1
    if (!completed) {
      const next = await ferry(world, ['work', '--until-idle'])
      runs++
      expect(next.code, next.err.join('\n')).toBe(Exit.OK)
    }
    const quality = await ferry(world, ['quality', '--until-idle'])
    expect(quality.code, quality.err.join('\n')).toBe(Exit.DATA)
    await expectCleanNight(endpoints, world, files, endpoints.kafka)
    await waitFor(() => Object.keys(watch.verdicts()).length >= files.length, 'a verdict for every file')
    expect(watch.verdicts()).toEqual(expectedVerdicts(files))
    report.push(
      `work: 1 outage, ${faults} connection(s) refused or reset, ${runs} run(s), first exit ${first.code}, survived`,
    )
  })
})
