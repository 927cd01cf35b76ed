import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { consumerChaos, drainChaos, killOnStored } from '../support/chaos/components.js'
import { HttpTap } from '../support/chaos/http-tap.js'
import { ChaosKafka } from '../support/chaos/kafka.js'
import { type ChaosFile, chaosNight } from '../support/chaos/night.js'
import { expectedOutputNames, type Observed, observe, outcomeOf } from '../support/chaos/observe.js'
import { type ComponentChaos, describeLives, haltChaos } from '../support/chaos/runner.js'
import { SqsProxy } from '../support/chaos/sqs-proxy.js'
import {
  type ChaosWorld,
  createChaosWorld,
  queueDepth,
  runCleanly,
  settle,
  watchQuality,
} from '../support/chaos/world.js'

/**
 * Crash consistency: a night run by real `ferry drain`, `ferry work` and `ferry quality` processes
 * that are SIGKILLed at random points and restarted each time must leave exactly what a clean run of
 * the same night leaves. The three components run side by side, as in production (files land while
 * the drain runs, workers pick objects up as they are queued, quality follows the results), each
 * with its own kill loop; a consumer counts as done only once the component feeding it is done.
 * FERRY_CHAOS_FILES (default 50), FERRY_CHAOS_KILLS (kills per component, default 20) and
 * FERRY_CHAOS_SEED (the kill plans' PRNG; the timing of kills is real and varies) size the run.
 *
 * "Exactly one final result" under at-least-once delivery means: every file has at least one record
 * on ferry.results; every record for a file agrees on the outcome (status, row and byte counts, output
 * and quarantine presence, first errors, error code) with the clean run's single record, so a
 * redelivery may repeat the verdict but never change it; and the ledger holds exactly one entry per
 * object version, in the final state `qualified`, with that outcome and the clean run's verdict.
 */
const endpoints = inject('endpoints')
const FILES = positiveInt('FERRY_CHAOS_FILES', 50)
const KILLS = positiveInt('FERRY_CHAOS_KILLS', 20)
const SEED = positiveInt('FERRY_CHAOS_SEED', 20261124)
const DATE = '2026-11-23'

describe(`crash consistency: ${FILES} files, drain/work/quality each SIGKILLed >= ${KILLS} times`, () => {
  const files: ChaosFile[] = chaosNight({ files: FILES, seed: SEED, date: DATE })
  const kafka = new ChaosKafka(endpoints.kafka)
  const closers: Array<() => Promise<unknown>> = []
  let clean: ChaosWorld
  let chaos: ChaosWorld
  let runs: Record<'drain' | 'work' | 'quality', ComponentChaos>
  let violations: string[]
  let before: Observed
  let after: Observed

  beforeAll(async () => {
    const started = Date.now()
    ;[clean, chaos] = await Promise.all([createChaosWorld(endpoints), createChaosWorld(endpoints)])
    for (const world of [clean, chaos]) closers.push((await watchQuality(world, endpoints)).close)
    const proxy = await SqsProxy.start(endpoints.aws)
    closers.push(() => proxy.close())
    const gcs = await HttpTap.start(endpoints.gcs)
    closers.push(() => gcs.close())
    const settings = { files, kills: KILLS, seed: SEED, kafka }
    const drain = drainChaos(chaos, proxy, settings)
    closers.push(drain.stop)
    violations = drain.violations
    let drained = false
    let worked = false
    runs = {
      drain: drain.chaos,
      work: consumerChaos(chaos, 'work', settings, gcs, () => drained),
      quality: consumerChaos(chaos, 'quality', settings, gcs, () => worked),
    }
    killOnStored(gcs, runs)
    let cleanSeconds = 0
    try {
      await Promise.all([
        // The reference, beside the chaos: the same night, once, without crashes.
        runCleanly(clean, files).then(() => {
          cleanSeconds = (Date.now() - started) / 1000
        }),
        runs.drain.run().then(() => {
          drained = true
        }),
        runs.work.run().then(() => {
          worked = true
        }),
        runs.quality.run(),
      ])
    } finally {
      haltChaos()
    }
    // Pub/Sub delivers asynchronously: give every file's event time to arrive (duplicates may trail).
    const delivered = (world: ChaosWorld) => files.every((f) => world.events.some((e) => e.source.key === f.key))
    await settle(() => delivered(clean) && delivered(chaos))
    ;[before, after] = await Promise.all([observe(clean, kafka, files), observe(chaos, kafka, files)])
    console.log(
      [
        `chaos seed=${SEED} files=${FILES} kills>=${KILLS} per component`,
        ...Object.entries(runs).map(([name, run]) => describeLives(name, run.lives)),
        `ferry.objects records=${after.objects.length} ferry.results records=${[...after.results.values()].flat().length}` +
          ` quality events=${chaos.events.length} clean run=${cleanSeconds.toFixed(1)}s` +
          ` total=${((Date.now() - started) / 1000).toFixed(1)}s`,
      ].join('\n'),
    )
  }, 900_000)

  afterAll(async () => {
    haltChaos()
    for (const close of closers.reverse()) await close().catch(() => {})
    await kafka.close()
  })

  it('killed every component at least FERRY_CHAOS_KILLS times; every life ended by a kill or on its own', () => {
    for (const [name, run] of Object.entries(runs)) {
      expect(run.kills, name).toBeGreaterThanOrEqual(KILLS)
      const stuck = run.lives.filter((l) => l.outcome === 'stuck')
      expect(
        stuck.map((l) => l.stderrTail.join('\n')),
        `${name} lives that hung`,
      ).toEqual([])
      const okCodes = name === 'quality' ? [0, 1] : [0]
      const failed = run.lives.filter((l) => l.outcome === 'exited' && !okCodes.includes(l.code ?? -1))
      expect(
        failed.map((l) => `exit ${l.code}: ${l.stderrTail.join('\n')}`),
        `${name} lives that exited with an error`,
      ).toEqual([])
    }
  })

  it('drain: no SQS message was deleted before Kafka acknowledged it; every notified object is in ferry.objects', async () => {
    expect(violations).toEqual([])
    const notified = files.map((f) => `${chaos.landing}/${f.key}`).sort()
    // Redeliveries after a crash may queue an object more than once; none may be missing.
    expect([...new Set(after.objects)].sort()).toEqual(notified)
    expect(await queueDepth(chaos)).toBe(0)
  })

  it('outputs: the same objects with the same bytes as the clean run, one per source file', () => {
    const expected = expectedOutputNames(files)
    expect([...before.outputs.keys()].sort()).toEqual(expected)
    expect([...after.outputs.keys()].sort()).toEqual(expected)
    expect(Object.fromEntries([...after.outputs].sort())).toEqual(Object.fromEntries([...before.outputs].sort()))
  })

  it('results: every file has results that all agree with the clean run; the ledger ends in one final state per file', () => {
    expect([...after.results.keys()].sort()).toEqual(files.map((f) => f.key).sort())
    for (const file of files) {
      const reference = before.results.get(file.key) ?? []
      expect(reference, `clean results for ${file.key}`).toHaveLength(1)
      const expected = outcomeOf(reference[0]!.result)
      const outcomes = new Set((after.results.get(file.key) ?? []).map((r) => outcomeOf(r.result)))
      expect([...outcomes], `results for ${file.key}`).toEqual([expected])

      const entries = [...after.ledger.values()].filter((e) => e.bucket === chaos.landing && e.key === file.key)
      expect(entries, `ledger entries for ${file.key}`).toHaveLength(1)
      const entry = entries[0]!
      const verdict = before.ledger.get(`${clean.landing}/${file.key}/${entry.eTag}`)?.quality
      expect({ state: entry.state, quality: entry.quality }, file.key).toEqual({ state: 'qualified', quality: verdict })
      expect(entry.result && outcomeOf(entry.result), `ledger outcome of ${file.key}`).toBe(expected)
    }
    const kinds = new Set(files.map((f) => JSON.parse(outcomeOf(before.results.get(f.key)![0]!.result)).status))
    expect([...kinds].sort()).toEqual(['dead-lettered', 'quarantined', 'written'])
  })

  it('dead letters: only the corrupt file, as in the clean run', () => {
    const corrupt = files.filter((f) => f.kind === 'corrupt').map((f) => f.key)
    expect(before.deadLetters).toEqual(corrupt)
    expect(after.deadLetters.length).toBeGreaterThanOrEqual(1)
    expect([...new Set(after.deadLetters)]).toEqual(corrupt)
  })

  it('quality: at least one event per file, every event for a file with the clean verdict', () => {
    for (const file of files) {
      const reference = clean.events.filter((e) => e.source.key === file.key).map((e) => e.status)
      expect(reference, `clean events for ${file.key}`).toHaveLength(1)
      const statuses = new Set(chaos.events.filter((e) => e.source.key === file.key).map((e) => e.status))
      expect([...statuses], `events for ${file.key}`).toEqual(reference)
    }
    const failing = clean.events.filter((e) => e.status === 'fail').map((e) => e.source.key)
    const expectedFailing = files.filter((f) => f.kind !== 'clean' && f.kind !== 'low-invalid').map((f) => f.key)
    expect(failing.sort()).toEqual(expectedFailing.sort())
  })
})

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  const value = Number(raw)
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer, got ${raw}`)
  return value
}
