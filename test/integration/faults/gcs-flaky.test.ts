import { describe, expect, inject, it } from 'vitest'
import { createWorld, Exit, type FerryWorld, ferry } from '../../support/ferry-env.js'
import { clearGcsFaults, type FaultSpec, getGcsFaults, setGcsFault } from '../../support/gcs-server.js'
import {
  expectCleanNight,
  expectedVerdicts,
  sampleFiles,
  summaryLine,
  upload,
  waitFor,
  watchQuality,
} from './support.js'

const endpoints = inject('endpoints')

/**
 * The GCS test server fails 10% of the requests to the world's output bucket (the rule is scoped to
 * that bucket: other test files share the server). Ferry's writes are idempotent and the SDK retries,
 * so the night must complete as a clean one would, with no file dead-lettered because of a fault.
 * Two worlds, run concurrently: failures answered with 503, and connections dropped without an answer.
 */
describe.concurrent('fault: GCS fails 10% of the requests to the output bucket', () => {
  async function flakyNight(spec: Omit<FaultSpec, 'bucket'>, seed: number): Promise<number> {
    const world: FerryWorld = await createWorld(endpoints)
    const files = sampleFiles(8, seed)
    const watch = await watchQuality(endpoints, world)
    try {
      await upload(world, files)
      await setGcsFault(endpoints.gcs, { bucket: world.lake, ...spec })
      const run = await ferry(world, ['nightly', '--wait-seconds', '1'])
      const [rule] = (await getGcsFaults(endpoints.gcs)).filter((r) => r.bucket === world.lake)
      await clearGcsFaults(endpoints.gcs, world.lake)

      // Completes, with the night's own data verdict (the corrupt and the 9%-rejected file fail): no exit 2.
      expect(run.code, run.err.join('\n')).toBe(Exit.DATA)
      expect(run.out.at(-1)).toBe(summaryLine(files))
      expect(rule?.injected, 'faults were injected').toBeGreaterThan(0)
      await expectCleanNight(endpoints, world, files, endpoints.kafka)
      await waitFor(() => Object.keys(watch.verdicts()).length >= files.length, 'a verdict for every file')
      expect(watch.verdicts()).toEqual(expectedVerdicts(files))
      return rule?.injected ?? 0
    } finally {
      await clearGcsFaults(endpoints.gcs, world.lake)
      await watch.close()
    }
  }

  it('503 answers: the SDK retries them and the night is a clean one', { timeout: 120_000 }, async () => {
    const injected = await flakyNight({ failNext: 1, failRate: 0.1, status: 503 }, 21)
    console.info(`[faults] gcs-flaky 503: ${injected} failures injected, 1 night, survived`)
  })

  it('dropped connections: the same', { timeout: 120_000 }, async () => {
    const injected = await flakyNight({ failNext: 1, failRate: 0.1, reset: true }, 22)
    console.info(`[faults] gcs-flaky reset: ${injected} connections dropped, 1 night, survived`)
  })
})
