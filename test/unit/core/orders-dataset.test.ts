/**
 * Tests for the example project's orders dataset (examples/project/datasets/orders: what `ferry init`
 * writes and `ferry demo` runs), declared without code: its schema, its steps and its key patterns.
 */
import { describe, expect, it } from 'vitest'
import { findDataset, type Row } from '../../../src/core/dataset.js'
import { readParquetRows, writeParquet } from '../../../src/core/formats/parquet.js'
import { rowValidator } from '../../../src/core/validate.js'
import { exampleSpecs as datasets, orders, transformOrder } from '../../support/datasets.js'

const GOOD: Row = {
  order_id: 'ORD-00012345',
  customer_id: 'CUST-004211',
  ordered_at: '2026-11-23T21:15:42.250Z',
  shipped_at: '2026-11-24T08:00:00.000Z',
  amount: 129.9,
  currency: 'EUR',
  country: 'DE',
  quantity: 2,
  note: '  Please leave at the front door ',
}

const validate = rowValidator(orders)

describe('orders schema', () => {
  it.each([
    ['a complete row', GOOD],
    ['a row without the optional fields', { ...GOOD, shipped_at: undefined, note: undefined }],
    ['null optional fields', { ...GOOD, shipped_at: null, note: null }],
    ['a lower-case country', { ...GOOD, country: 'fr' }],
    ['a zero amount and a date-time with an offset', { ...GOOD, amount: 0, ordered_at: '2026-11-23T22:15:42+01:00' }],
    ['a long ISO fraction (microseconds from Parquet)', { ...GOOD, ordered_at: '2026-11-23T21:15:42.250123Z' }],
  ])('accepts %s', (_, row) => {
    expect(validate(JSON.parse(JSON.stringify(row)))).toEqual({ valid: true })
  })

  it.each([
    ['a missing order_id', { order_id: undefined }, '', 'required'],
    ['a malformed order_id', { order_id: 'ORD-123' }, '/order_id', 'pattern'],
    ['a numeric order_id', { order_id: 12_345 }, '/order_id', 'type'],
    ['an empty customer_id', { customer_id: '' }, '/customer_id', 'minLength'],
    ['a missing ordered_at', { ordered_at: undefined }, '', 'required'],
    ['an ordered_at without zone', { ordered_at: '2026-11-23T21:15:42' }, '/ordered_at', 'format'],
    ['an impossible ordered_at', { ordered_at: '2026-02-30T10:00:00Z' }, '/ordered_at', 'format'],
    ['a bad shipped_at', { shipped_at: '2026-11-23T24:10:00Z' }, '/shipped_at', 'format'],
    ['a negative amount', { amount: -0.01 }, '/amount', 'minimum'],
    ['an amount over a million', { amount: 1_000_000.01 }, '/amount', 'maximum'],
    ['an amount as text', { amount: '129.90' }, '/amount', 'type'],
    ['an unknown currency', { currency: 'EURO' }, '/currency', 'enum'],
    ['a lower-case currency', { currency: 'eur' }, '/currency', 'enum'],
    ['a three-letter country', { country: 'DEU' }, '/country', 'pattern'],
    ['a zero quantity', { quantity: 0 }, '/quantity', 'minimum'],
    ['a fractional quantity', { quantity: 1.5 }, '/quantity', 'type'],
    ['a note over 500 characters', { note: 'x'.repeat(501) }, '/note', 'maxLength'],
    ['an unexpected column', { coupon: 'XMAS' }, '', 'additionalProperties'],
  ])('rejects %s', (_, change, instancePath, keyword) => {
    const row = JSON.parse(JSON.stringify({ ...GOOD, ...change }))
    const verdict = validate(row)
    expect(verdict.valid).toBe(false)
    expect(verdict.valid ? [] : verdict.errors.map((e) => [e.instancePath, e.keyword])).toEqual([
      [instancePath, keyword],
    ])
  })
})

describe('orders transform', () => {
  it('derives amount_cents and order_date, upper-cases the country, trims the note', () => {
    expect(transformOrder({ ...GOOD, country: 'de' })).toEqual({
      order_id: 'ORD-00012345',
      customer_id: 'CUST-004211',
      ordered_at: '2026-11-23T21:15:42.250Z',
      order_date: '2026-11-23',
      shipped_at: '2026-11-24T08:00:00.000Z',
      amount: 129.9,
      amount_cents: 12_990,
      currency: 'EUR',
      country: 'DE',
      quantity: 2,
      note: 'Please leave at the front door',
    })
  })

  it('dates the order in UTC', () => {
    expect(transformOrder({ ...GOOD, ordered_at: '2026-11-24T00:30:00+01:00' }).order_date).toBe('2026-11-23')
  })

  it('turns absent and blank optional fields into nulls', () => {
    const { shipped_at: _, ...unshipped } = GOOD
    expect(transformOrder({ ...unshipped, note: '   ' })).toMatchObject({ shipped_at: null, note: null })
  })

  it.each([
    [1.005, 101],
    [19.99, 1999],
    [0.1 + 0.2, 30],
    [1_000_000, 100_000_000],
    [0, 0],
  ])('rounds %d to %d cents', (amount, cents) => {
    expect(transformOrder({ ...GOOD, amount }).amount_cents).toBe(cents)
  })

  it('produces rows its output columns can hold', async () => {
    const out = [transformOrder(GOOD), transformOrder({ ...GOOD, shipped_at: null, note: null })]
    const { rows } = await readParquetRows(writeParquet(orders.outputColumns, out))
    expect(rows[0]).toEqual(out[0])
    expect(rows[1]).not.toHaveProperty('note')
  })
})

describe('orders dataset', () => {
  it('is in the example project and owns the sample-night keys', () => {
    expect(findDataset(datasets, 'orders/2026-11-23/orders-0001.parquet')?.name).toBe('orders')
    expect(findDataset(datasets, 'exports/orders_2026-11-23.parquet')?.name).toBe('orders')
    expect(findDataset(datasets, 'landing/orders/2026-11-23/part-0.csv.gz')?.name).toBe('orders')
    expect(findDataset(datasets, 'preorders/x.parquet')).toBeUndefined()
    expect(findDataset(datasets, 'exports/reorders_2026.csv')).toBeUndefined()
  })

  it('has the documented quality thresholds and event time field', () => {
    expect(orders.quality).toEqual({ minRowRatio: 0.95, maxRejectedRate: 0.05 })
    expect(orders.eventTimeField).toBe('ordered_at')
  })
})
