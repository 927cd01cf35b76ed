import { describe, expect, it } from 'vitest'
import { type Dataset, defineDataset, findDataset } from '../../../src/core/dataset.js'
import { ConfigError } from '../../../src/errors.js'

function dataset(name: string, keyPattern: RegExp | string, priority = 0): Dataset {
  return defineDataset({
    name,
    keys: [keyPattern],
    priority,
    schema: { type: 'object' },
    transform: (row) => row,
    outputColumns: [{ name: 'id', type: 'string' }],
    eventTimeField: 'at',
  })
}

describe('findDataset', () => {
  const orders = dataset('orders', /(^|\/)orders[/_-]/)
  const returns = dataset('returns', /(^|\/)returns[/_-]/)
  const everything = dataset('everything', /./)

  it.each([
    ['orders/2026-11-23/orders-0001.parquet', 'orders'],
    ['landing/orders_2026-11-23.parquet', 'orders'],
    ['returns/2026-11-23/part-0.parquet', 'returns'],
  ])('matches %s to %s', (key, name) => {
    expect(findDataset([orders, returns], key)?.name).toBe(name)
  })

  it('returns undefined when nothing matches', () => {
    expect(findDataset([orders, returns], 'reorders/x.parquet')).toBeUndefined()
    expect(findDataset([], 'orders/x.parquet')).toBeUndefined()
  })

  it('gives a key several datasets match to the highest priority, then the first name, whatever the list order', () => {
    expect(findDataset([everything, orders], 'orders/x.parquet')?.name).toBe('everything')
    expect(findDataset([orders, everything], 'orders/x.parquet')?.name).toBe('everything')
    const preferred = dataset('orders', /(^|\/)orders[/_-]/, 1)
    expect(findDataset([everything, preferred], 'orders/x.parquet')?.name).toBe('orders')
    expect(findDataset([preferred, everything], 'orders/x.parquet')?.name).toBe('orders')
  })

  it('matches a glob against the whole key', () => {
    const csv = dataset('csv', 'exports/**/*.csv')
    expect(findDataset([csv], 'exports/2026/11/a.csv')?.name).toBe('csv')
    expect(findDataset([csv], 'exports/a.csv')?.name).toBe('csv')
    expect(findDataset([csv], 'x/exports/a.csv')).toBeUndefined()
    expect(findDataset([csv], 'exports/a.csv.gz')).toBeUndefined()
  })

  it('gives the same answer every time for a pattern with the g flag', () => {
    const global = dataset('global', /orders\//g)
    const answers = Array.from({ length: 4 }, () => findDataset([global], 'orders/x.parquet')?.name)
    expect(answers).toEqual(['global', 'global', 'global', 'global'])
  })
})

describe('defineDataset', () => {
  it('fills in the default quality thresholds', () => {
    expect(dataset('d', /d/).quality).toEqual({ minRowRatio: 0.95, maxRejectedRate: 0.05 })
  })

  it('takes a CSV separator Ferry reads and refuses any other', () => {
    expect(defineDataset({ ...dataset('d', /d/), csv: { delimiter: ';' } }).csv).toEqual({ delimiter: ';' })
    // a definition loaded from JSON is not checked by the compiler
    const colon = { delimiter: ':' } as unknown as { delimiter: ';' }
    expect(() => defineDataset({ ...dataset('d', /d/), csv: colon })).toThrow(
      /csv\.delimiter: must be one of ",", ";", "\\t", "\|"/,
    )
  })

  it('keeps thresholds that are given', () => {
    const d = defineDataset({ ...dataset('d', /d/), quality: { maxRejectedRate: 0.2 } })
    expect(d.quality).toEqual({ minRowRatio: 0.95, maxRejectedRate: 0.2 })
  })

  it('rejects bad thresholds and duplicate columns, naming each problem', () => {
    let thrown: unknown
    try {
      defineDataset({
        ...dataset('broken', /b/),
        quality: { minRowRatio: 1.5, maxRejectedRate: Number.NaN },
        outputColumns: [
          { name: 'a', type: 'string' },
          { name: 'a', type: 'int32' },
        ],
      })
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(ConfigError)
    expect((thrown as ConfigError).problems).toEqual([
      'quality.minRowRatio: must be between 0 and 1, got 1.5',
      'quality.maxRejectedRate: must be between 0 and 1, got NaN',
      'columns: a is declared twice',
    ])
  })

  it('rejects a dataset without output columns', () => {
    expect(() => defineDataset({ ...dataset('empty', /e/), outputColumns: [] })).toThrow(ConfigError)
  })
})
