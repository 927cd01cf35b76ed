import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { type RunningBroker, startBroker } from '../../../src/broker/index.js'
import type { SampleFile } from '../../../src/core/sample-night.js'
import { createWorld, type FerryWorld, ferry } from '../../support/ferry-env.js'
import {
  expectCleanNight,
  expectedVerdicts,
  type QualityWatch,
  runUntilComplete,
  sampleFiles,
  sleep,
  upload,
  waitFor,
  watchQuality,
} from './support.js'

const endpoints = inject('endpoints')

/** How long the broker stays down between stop and start: long enough for clients to notice. */
const DOWN_MS = 1500

/**
 * Ferry's own embedded broker, persisting to a data dir, restarted on the same port while `ferry
 * drain` and `ferry work` run against it: the clients must reconnect (or fail loudly), and nothing
 * acknowledged before the restart may be lost.
 */
describe('fault: the Kafka broker restarts mid-drain and mid-work', () => {
  let dataDir: string
  let broker: RunningBroker
  let port: number
  let world: FerryWorld
  let files: SampleFile[]
  let watch: QualityWatch
  let restarts = 0
  const report: string[] = []

  async function restart(): Promise<void> {
    await broker.close()
    await sleep(DOWN_MS)
    broker = await startBroker({ host: '127.0.0.1', port, dataDir })
    restarts++
  }

  /** Restarts the broker once, the first time the channel reports progress; resolves when it is back. */
  function restartOn(channelName: string): { done: () => Promise<void>; fired: () => boolean } {
    let restarting: Promise<void> | undefined
    const listener = () => {
      if (restarting) return
      unsubscribe(channelName, listener)
      restarting = restart()
    }
    subscribe(channelName, listener)
    return {
      fired: () => restarting !== undefined,
      done: async () => {
        unsubscribe(channelName, listener)
        await restarting
      },
    }
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'ferry-faults-broker-'))
    broker = await startBroker({ host: '127.0.0.1', port: 0, dataDir })
    port = broker.port
    world = await createWorld(endpoints)
    world.env.FERRY_KAFKA_BROKERS = broker.address
    // 12 files: at least two SQS batches, so the restart falls between them.
    files = sampleFiles(12, 11)
    watch = await watchQuality(endpoints, world)
    await upload(world, files)
  })

  afterAll(async () => {
    await watch?.close()
    await broker?.close()
    if (dataDir) rmSync(dataDir, { recursive: true, force: true })
    console.info(`[faults] kafka-restart: ${report.join('; ')}`)
  })

  it('drain: the broker restarts after the first batch; the drain rides through or fails loudly, a re-run drains the rest', async () => {
    const trigger = restartOn('ferry:drain')
    const { runs } = await runUntilComplete(world, ['drain', '--wait-seconds', '1'])
    await trigger.done()
    expect(trigger.fired(), 'the restart was injected').toBe(true)
    expect(restarts).toBe(1)
    report.push(`drain: 1 broker restart, ${runs.length} run(s), exit codes ${runs.map((r) => r.code).join(',')}`)
  })

  it('work: the broker restarts after the first file; the worker rides through or fails loudly, a re-run finishes', async () => {
    const trigger = restartOn('ferry:file')
    const { runs } = await runUntilComplete(world, ['work', '--until-idle'])
    await trigger.done()
    expect(trigger.fired(), 'the restart was injected').toBe(true)
    expect(restarts).toBe(2)
    report.push(`work: 1 broker restart, ${runs.length} run(s), exit codes ${runs.map((r) => r.code).join(',')}`)
  })

  it('the outputs are those of a clean run, and every file gets its quality verdict', async () => {
    const run = await ferry(world, ['quality', '--until-idle'])
    expect(run.code, run.err.join('\n')).toBe(1) // the corrupt and the 9%-rejected file fail
    await expectCleanNight(endpoints, world, files, broker.address)
    await waitFor(() => Object.keys(watch.verdicts()).length >= files.length, 'a verdict for every file')
    expect(watch.verdicts()).toEqual(expectedVerdicts(files))
  })
})
