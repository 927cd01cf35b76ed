import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { FileEngine } from '../../../../src/core/engine/runner.js'
import { processReader } from '../../../../src/core/engine.js'
import { readParquetRows } from '../../../../src/core/formats/parquet.js'
import { FormatError, UsageError } from '../../../../src/errors.js'
import { formatProcess, openOutputTarget, processObject } from '../../../../src/ops/debug/process.js'
import { openObjectUrl } from '../../../../src/ops/debug/source.js'
import { orders } from '../../../support/datasets.js'
import { writeLocalNight } from './night.js'

const night = writeLocalNight()
// the engine on this thread, so unit tests need no build (the worker-thread pool: test/integration/engine)
const engine: FileEngine = {
  process: (reader, _dataset, key) => processReader(reader, orders, { key }),
  job: () => Promise.reject(new Error('processObject runs no job')),
  close: async () => {},
}

describe('processObject', () => {
  it('runs the engine on a file with invalid rows and writes output and quarantine the worker way', async () => {
    const out = join(night.dir, 'repro')
    const source = await openObjectUrl(night.path(night.invalid), night.config)
    const report = await processObject(
      source,
      orders,
      openOutputTarget(out, night.config, night.dir),
      'quarantine',
      engine,
    )
    const { rows, invalidRows } = night.invalid.expect
    expect(report).toMatchObject({ rowsIn: rows, rowsOut: rows - invalidRows, rowsRejected: invalidRows })
    const date = source.lastModified!.toISOString().slice(0, 10)
    expect(report.output).toMatch(new RegExp(`^${out}/orders/date=${date}/orders-0001-[0-9a-f]{12}\\.parquet$`))
    expect(report.quarantine).toMatch(
      new RegExp(`^${out}/quarantine/orders/date=${date}/orders-0001-[0-9a-f]{12}\\.ndjson$`),
    )
    const written = await readParquetRows(readFileSync(report.output))
    expect(written.rows).toHaveLength(rows - invalidRows)
    const quarantined = readFileSync(report.quarantine!, 'utf8').trim().split('\n')
    expect(quarantined).toHaveLength(invalidRows)
    expect(JSON.parse(quarantined[0]!)).toMatchObject({ row_number: report.firstErrors[0]!.row })
    const lines = formatProcess(report)
    expect(lines[1]).toBe(`rows_in=${rows} rows_out=${rows - invalidRows} rows_rejected=${invalidRows}`)
  })

  it('writes no quarantine for a clean file', async () => {
    const source = await openObjectUrl(night.path(night.clean), night.config)
    const target = openOutputTarget(join(night.dir, 'clean'), night.config, night.dir)
    const report = await processObject(source, orders, target, 'quarantine', engine)
    expect(report).toMatchObject({ rowsRejected: 0, quarantine: null })
    expect(formatProcess(report)).toContain('quarantine  (none: no row rejected)')
  })

  it('fails a corrupt file as the worker does', async () => {
    const source = await openObjectUrl(night.path(night.corrupt), night.config)
    const target = openOutputTarget(join(night.dir, 'corrupt'), night.config, night.dir)
    await expect(processObject(source, orders, target, 'quarantine', engine)).rejects.toBeInstanceOf(FormatError)
  })

  it('writes outputs to a folder or GCS, not S3', () => {
    expect(() => openOutputTarget('s3://bucket/prefix', night.config, night.dir)).toThrow(UsageError)
  })
})
