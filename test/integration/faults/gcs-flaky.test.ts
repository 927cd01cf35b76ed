import { afterEach, describe, expect, inject, it } from 'vitest'
import { clearGcsFaults, type FaultSpec, getGcsFaults, setGcsFault } from '../../support/gcs-server.js'
import { createWorld, Exit, type FerryWorld, ferry } from '../../support/ferry-env.js'
import { expectCleanNight, expectedVerdicts, sampleFiles, upload, waitFor, watchQuality } from './support.js'

const endpoints = inject('endpoints')

/**
 * The GCS test server fails 10% of the requests to the world's output bucket (the rule is scoped to
 * that bucket: other test files share the server). Ferry's writes are idempotent and the SDK retries,
 * so the night must complete as a clean one would, with no file dead-lettered because of a fault.
 */
describe('fault: GCS fails 10% of the requests to the output bucket', () => {
  const cleanups: Array<() => Promise<void>> = []
  const report: string[] = []

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined)
  })

  async function flakyNight(spec: Omit<FaultSpec, 'bucket'>, seed: number): Promise<{ injected: number }> {
    const world: FerryWorld = await createWorld(endpoints)
    cleanups.push(() => clearGcsFaults(endpoints.gcs, world.lake))
    const files = sampleFiles(12, seed)
    const watch = await watchQuality(endpoints, world)
    cleanups.push(() => watch.close())
    await upload(world, files)

    await setGcsFault(endpoints.gcs, { bucket: world.lake, ...spec })
    const run = await ferry(world, ['nightly', '--wait-seconds', '1'])
    const [rule] = await getGcsFaults(endpoints.gcs).then((rules) => rules.filter((r) => r.bucket === world.lake))
    await clearGcsFaults(endpoints.gcs, world.lake)

    // Completes, with the night's own data verdict (the corrupt and the 9%-rejected file fail): no exit 2.
    expect(run.code, run.err.join('\n')).toBe(Exit.DATA)
    const invalid = files.reduce((n, f) => n + f.expect.invalidRows, 0)
    expect(run.out.at(-1)).toBe(
      `files=${files.length} written=${files.length - 1} quarantined_rows=${invalid} dead_lettered=1 quality_pass=${files.length - 2} quality_fail=2`,
    )
    expect(rule?.injected, 'faults were injected').toBeGreaterThan(0)
    await expectCleanNight(endpoints, world, files, endpoints.kafka)
    await waitFor(() => Object.keys(watch.verdicts()).length >= files.length, 'a verdict for every file')
    expect(watch.verdicts()).toEqual(expectedVerdicts(files))
    return { injected: rule?.injected ?? 0 }
  }

  it('503 answers: the SDK retries them and the night is a clean one', async () => {
    const { injected } = await flakyNight({ failRate: 0.1, status: 503 }, 21)
    report.push(`503: ${injected} injected, survived`)
  })

  it('dropped connections: the same', async () => {
    const { injected } = await flakyNight({ failRate: 0.1, reset: true }, 22)
    report.push(`reset: ${injected} injected, survived`)
    console.info(`[faults] gcs-flaky: ${report.join('; ')}`)
  })
})
