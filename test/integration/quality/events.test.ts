import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { validators } from '../../../src/core/messages.js'
import { generateSampleNight } from '../../../src/core/sample-night.js'
import { exampleSpecs as datasets } from '../../support/datasets.js'
import { Exit, ferry } from '../../support/ferry-env.js'
import { fileEvents, nightEvents, openQualityWorld, type QualityWorld, upload, waitFor } from './support.js'

const endpoints = inject('endpoints')

describe('quality event contract: `ferry nightly` on a sample night, on real local servers', () => {
  let q: QualityWorld
  const files = generateSampleNight({ date: '2026-11-23', files: 6, seed: 11 }).files

  beforeAll(async () => {
    q = await openQualityWorld(endpoints)
    for (const file of files) await upload(q, file.key, file.bytes)
  })

  afterAll(() => q?.close())

  it('publishes one event per file and one per dataset-night, every one valid against the schema', async () => {
    const run = await ferry(q.world, ['nightly', '--wait-seconds', '1'])
    expect(run.code).toBe(Exit.DATA) // the sample night has a corrupt file
    await waitFor(() => q.published.length >= files.length + datasets.length)
    expect(fileEvents(q.published)).toHaveLength(files.length)
    expect(nightEvents(q.published).map((e) => e.dataset)).toEqual(datasets.map((d) => d.name))
    for (const { event, attributes } of q.published) {
      expect(validators.qualityEvent(event), JSON.stringify(validators.qualityEvent.errors)).toBe(true)
      expect(event.schema).toBe('ferry.quality/v2')
      expect(attributes).toMatchObject({
        dataset: event.dataset,
        status: event.status,
        severity: event.severity,
        scope: event.scope,
        run_id: event.runId,
      })
      expect(attributes.trace_id).toBe(event.scope === 'file' ? event.traceId : undefined)
    }
    expect(run.out.join('\n')).not.toContain('night checks:') // the sample night is a healthy night
  })
})
