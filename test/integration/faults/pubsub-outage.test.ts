import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { QualityEvent } from '../../../src/core/messages.js'
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
  upload,
  waitFor,
  watchQuality,
} from './support.js'

const endpoints = inject('endpoints')

/**
 * The Pub/Sub emulator goes away for 30 s (FERRY_FAULT_OUTAGE_MS) while `ferry quality` publishes:
 * Ferry reaches it through a fault proxy, the test's own subscription (made before the run) does not.
 * Quality must either retry through the outage or fail loudly without committing what it could not
 * publish, so that the next run publishes it: every file ends up with its verdict on the topic.
 */
describe('fault: the Pub/Sub emulator is down, then back, during ferry quality', () => {
  let world: FerryWorld
  let proxy: FaultProxy
  let files: SampleFile[]
  let watch: QualityWatch

  beforeAll(async () => {
    world = await createWorld(endpoints)
    proxy = await startFaultProxy({ target: endpoints.pubsub })
    world.env.PUBSUB_EMULATOR_HOST = proxy.address
    files = sampleFiles(12, 41)
    watch = await watchQuality(endpoints, world)
    await upload(world, files)
    for (const argv of [
      ['drain', '--wait-seconds', '1'],
      ['work', '--until-idle'],
    ]) {
      const run = await ferry(world, argv)
      expect(run.code, run.err.join('\n')).toBe(Exit.OK)
    }
  })

  afterAll(async () => {
    await watch?.close()
    await proxy?.close()
  })

  it('every file gets its quality event once the emulator is back', { timeout: OUTAGE_TEST_TIMEOUT }, async () => {
    let outage: Promise<void> | undefined
    const listener = (message: unknown) => {
      if (outage || (message as QualityEvent).source.bucket !== world.landing) return
      unsubscribe('ferry:quality', listener)
      proxy.pause()
      outage = sleep(OUTAGE_MS).then(() => proxy.resume())
    }
    subscribe('ferry:quality', listener)
    let first: Awaited<ReturnType<typeof ferry>>
    const started = Date.now()
    try {
      first = await ferry(world, ['quality', '--until-idle'])
    } finally {
      unsubscribe('ferry:quality', listener)
    }
    const firstMs = Date.now() - started
    expect(outage, 'the outage began after the first event').toBeDefined()
    const completed = completedOrFailedLoudly(first, 'quality')
    await outage
    const faults = proxy.stats.refused + proxy.stats.reset
    const runs = [first]
    if (!completed) {
      // The next run, once the emulator is back, publishes what the failed one did not commit.
      const next = await ferry(world, ['quality', '--until-idle'])
      runs.push(next)
      expect([Exit.OK, Exit.DATA], next.err.join('\n')).toContain(next.code)
    }
    await waitFor(() => Object.keys(watch.verdicts()).length >= files.length, 'a verdict for every file', 60_000)
    expect(watch.verdicts()).toEqual(expectedVerdicts(files))
    await expectCleanNight(endpoints, world, files, endpoints.kafka)
    console.info(
      `[faults] pubsub-outage (${OUTAGE_MS} ms): 1 outage, ${faults} connection(s) refused or reset, ` +
        `${runs.length} run(s), exit codes ${runs.map((r) => r.code).join(',')} (the first after ${firstMs} ms), ` +
        `${watch.events.length} file events for ${files.length} files, survived`,
    )
  })
})
