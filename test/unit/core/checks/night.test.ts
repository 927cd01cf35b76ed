import { describe, expect, it } from 'vitest'
import { type NightObservation, nightChecks } from '../../../../src/core/checks/night.js'

const night = (overrides: Partial<NightObservation> = {}): NightObservation => ({
  files: 3,
  unprocessed: [],
  missingOutputs: [],
  rowsIn: 100,
  rowsOut: 95,
  rowsRejected: 5,
  ...overrides,
})

const statuses = (checks: ReturnType<typeof nightChecks>) => Object.fromEntries(checks.map((c) => [c.name, c.status]))

describe('nightChecks', () => {
  it('passes a complete night, with the always-on checks only', () => {
    expect(statuses(nightChecks(night(), undefined))).toEqual({
      dataset_present: 'pass',
      unprocessed_files: 'pass',
      outputs_present: 'pass',
      reconciliation: 'pass',
    })
  })

  it('fails a configured dataset without files, unless its expectation allows none', () => {
    const empty = night({ files: 0, rowsIn: 0, rowsOut: 0, rowsRejected: 0 })
    expect(nightChecks(empty, undefined)[0]).toMatchObject({ name: 'dataset_present', status: 'fail', observed: 0 })
    const optional = nightChecks(empty, { files: { expected: 1, tolerance: 1 } })
    expect(statuses(optional)).toMatchObject({ dataset_present: 'pass', expected_files: 'pass' })
  })

  it('checks the expected file count within its tolerance, at both edges', () => {
    const files = { expected: 24, tolerance: 2 }
    expect(nightChecks(night({ files: 22 }), { files }).find((c) => c.name === 'expected_files')).toMatchObject({
      status: 'pass',
      observed: 22,
      threshold: '24±2',
    })
    expect(statuses(nightChecks(night({ files: 26 }), { files })).expected_files).toBe('pass')
    expect(statuses(nightChecks(night({ files: 21 }), { files })).expected_files).toBe('fail')
    expect(statuses(nightChecks(night({ files: 27 }), { files })).expected_files).toBe('fail')
    expect(statuses(nightChecks(night({ files: 2 }), { files: { expected: 3 } })).expected_files).toBe('fail')
    const warn = nightChecks(night({ files: 2 }), { files: { expected: 3, severity: 'warn' } })
    expect(statuses(warn).expected_files).toBe('warn')
  })

  it('fails drained objects that were never processed and processed files without output', () => {
    const checks = nightChecks(
      night({ unprocessed: ['landing/orders/a.parquet'], missingOutputs: ['landing/orders/b.parquet'] }),
      undefined,
    )
    expect(checks.find((c) => c.name === 'unprocessed_files')).toMatchObject({
      status: 'fail',
      observed: 1,
      message: 'drained but never processed: landing/orders/a.parquet',
    })
    expect(checks.find((c) => c.name === 'outputs_present')).toMatchObject({ status: 'fail', observed: 1 })
  })

  it('lists at most ten keys and counts the rest', () => {
    const keys = Array.from({ length: 12 }, (_, i) => `b/k${i}`)
    const message = nightChecks(night({ unprocessed: keys }), undefined)[1]?.message ?? ''
    expect(message).toMatch(/b\/k9 and 2 more$/)
  })

  it('fails a night whose rows do not reconcile', () => {
    expect(statuses(nightChecks(night({ rowsOut: 94 }), undefined)).reconciliation).toBe('fail')
  })
})
