import { describe, expect, it } from 'vitest'
import { defineDataset, type Row } from '../../../src/core/dataset.js'
import { MAX_FIRST_ERRORS, processFile, type QuarantineLine } from '../../../src/core/engine.js'
import { readParquetRows, writeParquet } from '../../../src/core/formats/parquet.js'
import { ORDER_INPUT_COLUMNS } from '../../../src/core/sample-orders.js'
import { FerryError, FormatError } from '../../../src/errors.js'
import { orders, transformOrder } from '../../support/datasets.js'

function order(n: number, changes: Row = {}): Row {
  return {
    order_id: `ORD-${String(n).padStart(8, '0')}`,
    customer_id: `CUST-${n % 97}`,
    ordered_at: new Date(Date.UTC(2026, 10, 23, 0, 0, n)).toISOString(),
    shipped_at: null,
    amount: 10 + (n % 50),
    currency: 'EUR',
    country: 'de',
    quantity: 1 + (n % 3),
    note: null,
    ...changes,
  }
}

function inputFile(rows: Row[], rowGroupSize?: number): Uint8Array {
  return writeParquet(ORDER_INPUT_COLUMNS, rows, { rowGroupSize })
}

/** What the reader hands the engine: the row without its null columns. */
function asRead(row: Row): Row {
  return Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null))
}

function quarantineLines(bytes: Uint8Array | undefined): QuarantineLine[] {
  const text = new TextDecoder().decode(bytes)
  expect(text.endsWith('\n')).toBe(true)
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as QuarantineLine)
}

describe('processFile', () => {
  it('writes every valid row transformed and nothing to quarantine when all rows are valid', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => order(i + 1))
    const bytes = inputFile(rows)
    const result = await processFile(bytes, orders)
    expect(result).toMatchObject({ rowsIn: 20, rowsOut: 20, rowsRejected: 0, firstErrors: [], eventDate: '2026-11-23' })
    expect(result.quarantine).toBeUndefined()
    expect(result.bytesIn).toBe(bytes.byteLength)
    expect(result.bytesOut).toBe(result.output.byteLength)
    const written = await readParquetRows(result.output)
    expect(written.columns.map((column) => column.name)).toEqual(orders.outputColumns.map((column) => column.name))
    expect(written.rows).toEqual(rows.map((row) => asRead(transformOrder(asRead(row)))))
    for (const value of Object.values(result.durationsMs)) expect(value).toBeGreaterThanOrEqual(0)
  })

  it('quarantines invalid rows with 1-based row numbers across row groups', async () => {
    const rows = Array.from({ length: 2500 }, (_, i) => order(i + 1))
    rows[0] = order(1, { currency: 'EURO' })
    rows[1500] = order(1501, { order_id: null, amount: -5 })
    rows[2499] = order(2500, { quantity: 0 })
    const result = await processFile(inputFile(rows, 1000), orders)

    expect(result).toMatchObject({ rowsIn: 2500, rowsOut: 2497, rowsRejected: 3 })
    expect(result.rowsIn).toBe(result.rowsOut + result.rowsRejected)
    expect(result.firstErrors).toEqual([
      { row: 1, instancePath: '/currency', keyword: 'enum', message: 'must be equal to one of the allowed values' },
      { row: 1501, instancePath: '', keyword: 'required', message: "must have required property 'order_id'" },
      { row: 1501, instancePath: '/amount', keyword: 'minimum', message: 'must be >= 0' },
      { row: 2500, instancePath: '/quantity', keyword: 'minimum', message: 'must be >= 1' },
    ])
    const lines = quarantineLines(result.quarantine)
    expect(lines.map((line) => line.row_number)).toEqual([1, 1501, 2500])
    expect(lines[1]).toEqual({
      row_number: 1501,
      row: asRead(rows[1500]!),
      errors: [
        { instancePath: '', keyword: 'required', message: "must have required property 'order_id'" },
        { instancePath: '/amount', keyword: 'minimum', message: 'must be >= 0' },
      ],
    })
    const written = await readParquetRows(result.output)
    expect(written.rows).toHaveLength(2497)
    expect(written.rows[0]!.order_id).toBe('ORD-00000002')
  })

  it(`keeps only the first ${MAX_FIRST_ERRORS} errors but quarantines every bad row`, async () => {
    const rows = Array.from({ length: 30 }, (_, i) => order(i + 1, i % 2 === 0 ? { currency: 'XXX' } : {}))
    const result = await processFile(inputFile(rows), orders)
    expect(result.rowsRejected).toBe(15)
    expect(result.firstErrors).toHaveLength(MAX_FIRST_ERRORS)
    expect(result.firstErrors.map((error) => error.row)).toEqual([1, 3, 5, 7, 9, 11, 13, 15, 17, 19])
    expect(quarantineLines(result.quarantine)).toHaveLength(15)
  })

  it('dates a file that straddles midnight by its newest valid event', async () => {
    const rows = [
      order(1, { ordered_at: '2026-11-23T23:59:58.000Z' }),
      order(2, { ordered_at: '2026-11-24T00:00:01.000Z' }),
      order(3, { ordered_at: '2026-11-25T08:00:00.000Z', currency: 'XXX' }),
      order(4, { ordered_at: '2026-11-23T12:00:00.000Z' }),
    ]
    expect((await processFile(inputFile(rows), orders)).eventDate).toBe('2026-11-24')
  })

  it('gives a valid empty output and no event date for a file without rows', async () => {
    const result = await processFile(inputFile([]), orders)
    expect(result).toMatchObject({ rowsIn: 0, rowsOut: 0, rowsRejected: 0, firstErrors: [] })
    expect(result.eventDate).toBeUndefined()
    expect(result.quarantine).toBeUndefined()
    expect((await readParquetRows(result.output)).rows).toEqual([])
  })

  it('gives a valid empty output when every row is rejected', async () => {
    const result = await processFile(inputFile([order(1, { amount: -1 }), order(2, { amount: -2 })]), orders)
    expect(result).toMatchObject({ rowsIn: 2, rowsOut: 0, rowsRejected: 2 })
    expect(result.eventDate).toBeUndefined()
    expect((await readParquetRows(result.output)).rows).toEqual([])
  })

  it('rejects a row whose transform throws instead of failing the file', async () => {
    const picky = defineDataset({
      ...orders,
      transform: (row) => {
        if (row.order_id === 'ORD-00000002') throw new Error('cannot price this order')
        return transformOrder(row)
      },
    })
    const result = await processFile(inputFile([order(1), order(2), order(3)]), picky)
    expect(result).toMatchObject({ rowsIn: 3, rowsOut: 2, rowsRejected: 1 })
    expect(result.firstErrors).toEqual([
      { row: 2, instancePath: '', keyword: 'transform', message: 'cannot price this order' },
    ])
  })

  it('fails the file with FERRY_INTERNAL when the transform breaks its own output columns', async () => {
    const broken = defineDataset({ ...orders, transform: (row) => ({ ...transformOrder(row), quantity: 'two' }) })
    await expect(processFile(inputFile([order(1)]), broken)).rejects.toMatchObject({
      code: 'FERRY_INTERNAL',
      context: { column: 'quantity', row: 0 },
    })
    await expect(processFile(inputFile([order(1)]), broken)).rejects.toBeInstanceOf(FerryError)
  })

  it('throws UnsupportedError for input it cannot tell the format of, FormatError for damaged Parquet', async () => {
    // text formats are told by the key, and this input has none
    await expect(processFile(new TextEncoder().encode('order_id,amount\n'), orders)).rejects.toMatchObject({
      code: 'FERRY_UNSUPPORTED',
      feature: 'file-format',
    })
    const good = inputFile([order(1)])
    await expect(processFile(good.slice(0, good.byteLength - 3), orders)).rejects.toBeInstanceOf(FormatError)
  })
})
