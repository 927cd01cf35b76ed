/**
 * The engine pool's time limits on a file that never finishes: here a dataset whose code loops for
 * ever (damaged pages that once hung hyparquet are refused before it sees them now). The workers run
 * the compiled engine, so this needs `npm run build` first (as the CLI tests do).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { EngineTimeoutError, StallError } from '../../../src/core/engine/limits.js'
import { EnginePool } from '../../../src/core/engine/pool.js'
import { processFile } from '../../../src/core/engine.js'
import { type ByteSink, bytesReader, memorySink } from '../../../src/core/formats/parquet.js'
import { FerryError, FormatError, LimitError } from '../../../src/errors.js'
import { orders, ordersSpec } from '../../support/datasets.js'
import { sampleOrdersParquet } from '../../support/orders.js'

const WORKER = new URL('../../../dist/src/core/engine/worker.js', import.meta.url)
const HANGS = new URL('../../fixtures/parquet/corrupt-page-hangs-hyparquet.parquet', import.meta.url)

/** orders, but with a transform module that never returns */
const spin = (() => {
  const module = join(mkdtempSync(join(tmpdir(), 'ferry-spin-')), 'transform.js')
  writeFileSync(module, 'export function transform(row) {\n  for (;;) {}\n}\n')
  return { ...ordersSpec, name: 'spin', transformModule: module }
})()

function ordersFile(count: number, defects: number): Uint8Array {
  return sampleOrdersParquet(count, 1000, { defects })
}

function sinks() {
  return { output: memorySink(), quarantine: memorySink() }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A memory sink whose writes take a while (each a different time) and that records what it saw: the
 * most writes in progress at once, the writes finished, and whether one came after `failAt` failed.
 */
function slowSink(failAt?: number) {
  const inner = memorySink()
  const seen = { calls: 0, finished: 0, busy: 0, mostBusy: 0, afterFailure: false }
  const sink: ByteSink = {
    async write(chunk) {
      const call = seen.calls++
      if (failAt !== undefined && call > failAt) seen.afterFailure = true
      seen.busy++
      seen.mostBusy = Math.max(seen.mostBusy, seen.busy)
      await sleep(5 + ((call * 7) % 20))
      seen.busy--
      if (call === failAt) throw new FerryError('FERRY_SINK_WRITE', 'the bucket said no', { retryable: true })
      await inner.write(chunk)
      seen.finished++
    },
    close: () => inner.close(),
  }
  return { sink, seen }
}

describe('EnginePool', () => {
  if (!existsSync(fileURLToPath(WORKER))) {
    throw new Error(`${fileURLToPath(WORKER)} is missing: run \`npm run build\` before the integration tests`)
  }
  // a long default, so only the run that asks for a short limit can time out on a busy machine
  const pool = new EnginePool({ datasets: [ordersSpec, spin], size: 2, timeoutMs: 60_000, workerUrl: WORKER })
  afterAll(() => pool.close())

  it('stops a file that never ends with a non-retryable FERRY_TIMEOUT LimitError, then carries on', async () => {
    const stuck = pool.run(bytesReader(ordersFile(50, 0)), 'spin', sinks(), { limits: { fileTimeoutMs: 1500 } })
    const err = await stuck.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(EngineTimeoutError)
    expect(err).toBeInstanceOf(LimitError)
    expect(err).toMatchObject({
      code: 'FERRY_TIMEOUT',
      retryable: false,
      context: { timeoutMs: 1500, dataset: 'spin' },
    })

    // the stuck worker is gone; the next file gets a fresh one
    const bytes = ordersFile(500, 5)
    const report = await pool.run(bytesReader(bytes), 'orders', sinks())
    expect(report).toMatchObject({ rowsIn: 500, rowsOut: 495, rowsRejected: 5 })
  })

  it('stops a file that makes no progress for stallMs long before the file limit', async () => {
    const started = Date.now()
    const err = await pool
      .run(bytesReader(ordersFile(50, 0)), 'spin', sinks(), { limits: { stallMs: 500, fileTimeoutMs: 60_000 } })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(StallError)
    expect(err).toMatchObject({ code: 'FERRY_TIMEOUT', retryable: false, context: { limit: 'stallMs', stallMs: 500 } })
    expect((err as Error).message).toMatch(/^processing stopped: no progress for 500 ms: dataset spin/)
    expect(Date.now() - started).toBeLessThan(30_000)
  })

  it.each(['fast', 'hyparquet'] as const)(
    'refuses the file that once hung hyparquet as damaged, with the %s decoder',
    async (decoder) => {
      const hangs = new Uint8Array(await readFile(HANGS))
      const err = await pool.run(bytesReader(hangs), 'orders', sinks(), { decoder }).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(FormatError)
      expect((err as Error).message).toMatch(/corrupt Parquet data in rows \d+-\d+: column \w+: /)
    },
  )

  it('writes what processFile writes, through the main thread, and runs files side by side', async () => {
    const files = [ordersFile(3000, 30), ordersFile(2000, 0), ordersFile(1000, 10)]
    const outs = files.map(() => sinks())
    const reports = await Promise.all(files.map((bytes, i) => pool.run(bytesReader(bytes), 'orders', outs[i]!)))
    for (const [i, bytes] of files.entries()) {
      const expected = await processFile(bytes, orders)
      expect(reports[i]).toEqual({
        ...expected,
        output: undefined,
        quarantine: undefined,
        durationsMs: reports[i]!.durationsMs,
      })
      expect(await outs[i]!.output.close()).toEqual(expected.output)
      expect(await outs[i]!.quarantine.close()).toEqual(expected.quarantine ?? new Uint8Array(0))
    }
  })

  it('writes each sink in order, one write at a time, and reports only once every write has landed', async () => {
    const bytes = ordersFile(6000, 60)
    // small row groups and batches: many writes to each sink, sent without waiting for the last
    const options = { rowGroupRows: 500, batchRows: 256 }
    const output = slowSink()
    const quarantine = slowSink()
    const report = await pool.run(
      bytesReader(bytes),
      'orders',
      { output: output.sink, quarantine: quarantine.sink },
      options,
    )
    const expected = await processFile(bytes, orders, options)
    expect(report).toMatchObject({
      rowsIn: 6000,
      rowsOut: 5940,
      rowsRejected: 60,
      bytesOut: expected.output.byteLength,
    })
    for (const { seen } of [output, quarantine]) {
      expect(seen.calls).toBeGreaterThan(10)
      expect(seen).toMatchObject({ finished: seen.calls, busy: 0, mostBusy: 1 })
    }
    expect(await output.sink.close()).toEqual(expected.output)
    expect(await quarantine.sink.close()).toEqual(expected.quarantine)
  })

  it('fails the file with the error of a failed write, and writes nothing more to that sink', async () => {
    const bytes = ordersFile(6000, 60)
    const options = { rowGroupRows: 500, batchRows: 256 }
    for (const failing of ['output', 'quarantine'] as const) {
      const broken = slowSink(2)
      const others = sinks()
      const err = await pool
        .run(bytesReader(bytes), 'orders', { ...others, [failing]: broken.sink }, options)
        .catch((e: unknown) => e)
      expect(err).toBeInstanceOf(FerryError)
      expect(err).toMatchObject({ code: 'FERRY_SINK_WRITE', message: 'the bucket said no', retryable: true })
      expect(broken.seen).toMatchObject({ afterFailure: false, busy: 0 })
    }
    // the worker carries on with the next file
    const report = await pool.run(bytesReader(bytes), 'orders', sinks(), options)
    expect(report).toMatchObject({ rowsIn: 6000, rowsRejected: 60 })
  })

  it('rejects with the engine’s own error types and refuses unknown datasets', async () => {
    const bytes = ordersFile(100, 0)
    const cut = pool.run(bytesReader(bytes.subarray(0, bytes.byteLength - 10)), 'orders', sinks())
    await expect(cut).rejects.toBeInstanceOf(FormatError)
    await expect(pool.run(bytesReader(bytes), 'no-such-dataset', sinks())).rejects.toMatchObject({
      code: 'FERRY_CONFIG',
    })
    const failing = {
      size: bytes.byteLength,
      read: async () => {
        throw new FerryError('FERRY_SOURCE_READ', 'gone', { retryable: true })
      },
    }
    await expect(pool.run(failing, 'orders', sinks())).rejects.toMatchObject({
      code: 'FERRY_SOURCE_READ',
      retryable: true,
    })
  })
})
