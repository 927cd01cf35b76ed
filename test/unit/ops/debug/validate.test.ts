import { describe, expect, it } from 'vitest'
import { defineDataset } from '../../../../src/core/dataset.js'
import { FormatError } from '../../../../src/errors.js'
import { openObjectUrl } from '../../../../src/ops/debug/source.js'
import { chooseDataset, formatValidation, isUnreadable, validateObject } from '../../../../src/ops/debug/validate.js'
import { orders } from '../../../support/datasets.js'
import { writeLocalNight } from './night.js'

const night = writeLocalNight()
const fixture = (name: string) => new URL(`../../../fixtures/formats/${name}`, import.meta.url).pathname

async function validate(path: string, maxErrors?: number) {
  return validateObject(await openObjectUrl(path, night.config), orders, maxErrors)
}

describe('validateObject', () => {
  it('counts every record of a clean Parquet file as valid', async () => {
    const summary = await validate(night.path(night.largest))
    expect(summary).toMatchObject({
      dataset: 'orders',
      format: 'parquet',
      compression: 'none',
      rows: night.largest.expect.rows,
      valid: night.largest.expect.rows,
      invalid: 0,
      firstErrors: [],
    })
  })

  it('finds exactly the invalid rows the sample night planted, first errors in file order', async () => {
    const { rows, invalidRows } = night.invalid.expect
    const summary = await validate(night.path(night.invalid), 5)
    expect(summary).toMatchObject({ rows, invalid: invalidRows, valid: rows - invalidRows })
    expect(summary.firstErrors).toHaveLength(5)
    const numbers = summary.firstErrors.map((e) => e.row)
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b))
    expect(numbers[0]).toBeGreaterThanOrEqual(1)
    const lines = formatValidation(summary)
    expect(lines[1]).toBe(`rows=${rows} valid=${rows - invalidRows} invalid=${invalidRows}`)
    expect(lines).toContain('first 5 error(s):')
  })

  it('counts CSV read errors (ragged rows, bad quoting) as invalid rows alongside schema errors', async () => {
    const summary = await validate(fixture('ragged.csv'))
    expect(summary).toMatchObject({ format: 'csv', rows: 5, valid: 2, invalid: 3 })
    expect(summary.firstErrors).toEqual([
      { row: 2, instancePath: '', keyword: 'read', message: 'line 3: expected 7 fields, found 6' },
      { row: 3, instancePath: '', keyword: 'read', message: 'line 5: expected 7 fields, found 8' },
      { row: 4, instancePath: '', keyword: 'read', message: 'line 6: unexpected text after a closing quote' },
    ])
  })

  it('validates gzipped CSV and NDJSON through the same readers', async () => {
    expect(await validate(fixture('orders.csv.gz'))).toMatchObject({ compression: 'gzip', rows: 5, invalid: 0 })
    const ndjson = await validate(fixture('orders.ndjson'))
    expect(ndjson).toMatchObject({ format: 'ndjson', rows: 5, valid: 3, invalid: 2 })
    expect(ndjson.firstErrors.map((e) => [e.row, e.keyword])).toEqual([
      [3, 'read'],
      [4, 'read'],
    ])
  })

  it('throws for an unreadable file, which the command reports as exit 2', async () => {
    const err = await validate(night.path(night.corrupt)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(FormatError)
    expect(isUnreadable(err)).toBe(true)
  })
})

describe('chooseDataset', () => {
  const other = defineDataset({ ...orders, name: 'returns', keys: [/(^|\/)returns[/_-]/] })

  it('picks by name, else by key pattern, else says which exist', () => {
    expect(chooseDataset([orders, other], 'x/returns-1.csv').name).toBe('returns')
    expect(chooseDataset([orders, other], 'x/returns-1.csv', 'orders').name).toBe('orders')
    expect(() => chooseDataset([orders, other], 'x/unknown.csv')).toThrow(/known: orders, returns/)
    expect(() => chooseDataset([orders], 'orders/a.csv', 'nope')).toThrow(
      expect.objectContaining({ code: 'FERRY_NO_DATASET' }),
    )
  })
})
