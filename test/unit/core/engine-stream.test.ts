import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { LocalObjectStore } from '../../../src/adapters/local/object-store.js'
import { defineDataset, type Row } from '../../../src/core/dataset.js'
import { objectStoreReader, openFileReader, openFileSink } from '../../../src/core/engine/sources.js'
import { processFile, processSource, type QuarantineLine } from '../../../src/core/engine.js'
import type { OutputColumn } from '../../../src/core/formats/columns.js'
import {
  type ByteSink,
  memorySink,
  parquetMetadata,
  type RangeReader,
  readParquetRows,
  writeParquet,
} from '../../../src/core/formats/parquet.js'
import { generateSampleNight } from '../../../src/core/sample-night.js'
import { ORDER_INPUT_COLUMNS, orderRows, seededRandom } from '../../../src/core/sample-orders.js'
import { derive } from '../../../src/core/transform.js'
import { orders, transformOrder } from '../../support/datasets.js'
import { sampleOrdersParquet } from '../../support/orders.js'

/** The orders dataset run through its row function instead of its column steps. */
const ordersByRow = defineDataset({ ...orders, transform: (row) => transformOrder(row) })

function night() {
  return generateSampleNight({ date: '2026-11-23', files: 4 }).files.filter((file) => !file.expect.corrupt)
}

function recording(bytes: Uint8Array) {
  const reads: Array<[number, number]> = []
  const reader: RangeReader = {
    size: bytes.byteLength,
    read: async (start, end) => {
      reads.push([start, end])
      return bytes.slice(start, end)
    },
  }
  return { reader, reads }
}

function recordingSink() {
  const sink = memorySink()
  const writes: number[] = []
  const recorded: ByteSink = {
    write: async (chunk) => {
      writes.push(chunk.byteLength)
      await sink.write(chunk)
    },
    close: () => sink.close(),
  }
  return { sink: recorded, writes }
}

function lines(bytes: Uint8Array | undefined): QuarantineLine[] {
  const text = new TextDecoder().decode(bytes)
  return text === ''
    ? []
    : text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as QuarantineLine)
}

function orderFile(count: number, rowGroupSize: number, defects = 0, seed = 1): Uint8Array {
  return sampleOrdersParquet(count, rowGroupSize, { defects, seed })
}

describe('processSource', () => {
  it('reads by range and writes as it goes: one output write per row group, quarantine per batch', async () => {
    const bytes = orderFile(30_000, 10_000, 30)
    const { reader, reads } = recording(bytes)
    const output = recordingSink()
    const quarantine = recordingSink()
    const report = await processSource(
      reader,
      orders,
      { output: output.sink, quarantine: quarantine.sink },
      { rowGroupRows: 5000, batchRows: 10_000 },
    )
    expect(report).toMatchObject({ rowsIn: 30_000, rowsOut: 29_970, rowsRejected: 30, bytesIn: bytes.byteLength })
    // footer, then one read per row group; never the whole file
    expect(reads).toHaveLength(2 + 3)
    for (const [start, end] of reads.slice(2)) expect(end - start).toBeLessThan(bytes.byteLength / 2)
    // header + 3 row groups + footer, each as it was ready
    expect(output.writes).toHaveLength(5)
    expect(quarantine.writes).toHaveLength(3)
    const written = (await output.sink.close())!
    expect(written.byteLength).toBe(report.bytesOut)
    const groups = parquetMetadata(written).rowGroups.map((group) => group.rows)
    expect(groups).toHaveLength(3)
    expect(groups.reduce((sum, rows) => sum + rows, 0)).toBe(29_970)
    expect(lines(await quarantine.sink.close())).toHaveLength(30)
  })

  it('gathers small input row groups into output row groups of at least rowGroupRows', async () => {
    const result = await processFile(orderFile(12_000, 1000), orders, { rowGroupRows: 5000 })
    expect(parquetMetadata(result.output).rowGroups.map((group) => group.rows)).toEqual([5000, 5000, 2000])
  })

  it('reads a source through an object store with ranged GETs, and local files', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ferry-engine-'))
    try {
      const bytes = orderFile(3000, 1000, 3)
      const store = new LocalObjectStore({ root })
      await store.put('in', 'orders/a.parquet', bytes)
      const fromStore = await processFile(bytes, orders)
      const sinks = { output: memorySink(), quarantine: memorySink() }
      const report = await processSource(
        objectStoreReader(store, 'in', 'orders/a.parquet', bytes.byteLength),
        orders,
        sinks,
      )
      expect(await sinks.output.close()).toEqual(fromStore.output)
      expect(report.rowsRejected).toBe(3)

      await writeFile(join(root, 'in.parquet'), bytes)
      const reader = await openFileReader(join(root, 'in.parquet'))
      const fileSinks = {
        output: await openFileSink(join(root, 'out.parquet')),
        quarantine: await openFileSink(join(root, 'out.ndjson')),
      }
      await processSource(reader, orders, fileSinks)
      await Promise.all([reader.close(), fileSinks.output.close(), fileSinks.quarantine.close()])
      expect(new Uint8Array(await readFile(join(root, 'out.parquet')))).toEqual(fromStore.output)
      expect(new Uint8Array(await readFile(join(root, 'out.ndjson')))).toEqual(fromStore.quarantine)
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })

  it('fails with FERRY_SOURCE_READ, retryable, when the object is shorter than announced', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ferry-engine-'))
    try {
      const bytes = orderFile(100, 100)
      const store = new LocalObjectStore({ root })
      await store.put('in', 'k', bytes.subarray(0, bytes.byteLength - 100))
      await expect(
        processSource(objectStoreReader(store, 'in', 'k', bytes.byteLength), orders, {
          output: memorySink(),
          quarantine: memorySink(),
        }),
      ).rejects.toMatchObject({ code: 'FERRY_SOURCE_READ', retryable: true })
    } finally {
      await rm(root, { recursive: true, force: true })
    }
  })
})

describe('column steps against the row function', () => {
  let files: ReturnType<typeof night>
  beforeAll(() => {
    files = night()
  })

  it('give the same output, quarantine and counts on a sample night', async () => {
    for (const file of files) {
      const byColumns = await processFile(file.bytes, orders)
      const byRows = await processFile(file.bytes, ordersByRow)
      expect(byColumns.output, file.key).toEqual(byRows.output)
      expect(byColumns.quarantine, file.key).toEqual(byRows.quarantine)
      expect({ ...byColumns, durationsMs: 0 }).toEqual({ ...byRows, durationsMs: 0 })
    }
    // a generous bound for a busy machine: the row path over ~20,000 rows is the slow part
  }, 60_000)

  it('give the same output when timestamps arrive as text with offsets and as Date columns the other way round', async () => {
    const columns: OutputColumn[] = ORDER_INPUT_COLUMNS.map((column) =>
      column.name === 'ordered_at'
        ? { name: 'ordered_at', type: 'string' }
        : column.name === 'shipped_at'
          ? { name: 'shipped_at', type: 'timestamp', unit: 'ms' }
          : column,
    )
    const rows = orderRows(seededRandom(9), {
      count: 500,
      from: Date.UTC(2026, 10, 23),
      to: Date.UTC(2026, 10, 24),
      firstOrderNumber: 1,
    })
    for (const [i, row] of rows.entries()) {
      if (i % 3 === 0) row.ordered_at = (row.ordered_at as string).replace('Z', '+05:30')
      if (i % 4 === 0) row.ordered_at = (row.ordered_at as string).replace('T', ' ')
    }
    const bytes = writeParquet(columns, rows)
    const byColumns = await processFile(bytes, orders)
    const byRows = await processFile(bytes, ordersByRow)
    expect(byColumns.output).toEqual(byRows.output)
    expect(byColumns.rowsOut).toBe(500)
    expect(byColumns.eventDate).toBe(byRows.eventDate)
  })

  it('round cents like the 15-digit formula on every amount, including those a hair from half a cent', () => {
    const reference = (amount: number) => Math.round(Number((amount * 100).toPrecision(15)))
    const random = seededRandom(11)
    const amounts = [1.005, 2.675, 0.285, 1.115, 1e6, 0, 0.125, 4.35, 8.345, 10.075]
    for (let i = 0; i < 200_000; i++) {
      const cents = Math.floor(random() * 100_000_000)
      amounts.push(random() < 0.5 ? (cents + 0.5) / 100 : cents / 100 + (random() - 0.5) * 1e-9)
    }
    const wrong = amounts.filter(
      (amount) =>
        transformOrder({ ordered_at: '2026-11-23T00:00:00Z', amount, country: 'de' }).amount_cents !==
        reference(amount),
    )
    expect(wrong).toEqual([])
  })

  it('rejects the rows a column step throws for, in file order with the schema rejections', async () => {
    const picky = defineDataset({
      ...orders,
      columns: [
        ...orders.columns!,
        derive('quantity', ['quantity'], (quantity) => {
          if (quantity === 2) throw new Error('no pairs')
          return quantity
        }),
      ],
    })
    const rows: Row[] = orderRows(seededRandom(5), { count: 40, from: 0, to: 1e9, firstOrderNumber: 1 })
    rows.forEach((row, i) => {
      row.quantity = i % 10 === 3 ? 2 : 1
    })
    rows[5]!.currency = 'XXX'
    const result = await processFile(writeParquet(ORDER_INPUT_COLUMNS, rows), picky)
    expect(result).toMatchObject({ rowsIn: 40, rowsOut: 35, rowsRejected: 5 })
    expect(result.firstErrors.map((error) => [error.row, error.keyword])).toEqual([
      [4, 'transform'],
      [6, 'enum'],
      [14, 'transform'],
      [24, 'transform'],
      [34, 'transform'],
    ])
    expect(lines(result.quarantine)[0]).toMatchObject({
      row_number: 4,
      errors: [{ instancePath: '', keyword: 'transform', message: 'no pairs' }],
    })
  })
})

describe('millisecond timestamps decoded as Dates', () => {
  it('read back as the same ISO text as before, within, around and beyond the range of a Date', async () => {
    const at = [
      '1970-01-01T00:00:00.000Z',
      '0001-01-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999Z',
      '-000001-06-01T12:00:00.000Z',
      '+275760-09-13T00:00:00.000Z',
      '+290000-01-01T00:00:00.000Z',
    ]
    const bytes = writeParquet(
      [{ name: 't', type: 'timestamp' }],
      at.map((t) => ({ t })),
    )
    expect((await readParquetRows(bytes)).rows).toEqual(at.map((t) => ({ t })))
  })
})
