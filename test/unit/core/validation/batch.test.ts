import { describe, expect, it } from 'vitest'
import { jsonValue } from '../../../../src/core/formats/parquet/values.js'
import { jsonCell, rowAt } from '../../../../src/core/validation/batch.js'

describe('the JSON shape of decoded values', () => {
  it.each([
    ['a safe BigInt', 2n ** 53n - 1n],
    ['an unsafe BigInt', 2n ** 53n],
    ['a negative unsafe BigInt', -(2n ** 63n)],
    ['bytes', new Uint8Array([0, 255, 1])],
    ['a window on a larger buffer', new Uint8Array([9, 1, 2, 3, 9]).subarray(1, 4)],
    ['a typed array', new Float64Array([1.5, Number.NaN])],
    ['a BigInt typed array', new BigInt64Array([1n, 2n ** 60n])],
    ['a list with nulls', [1, null, undefined, 'a']],
    ['a struct', { a: 1n, b: { c: new Uint8Array([1]) }, d: null }],
    ['NaN', Number.NaN],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['a string', 'ORD-1'],
  ])('matches the Parquet reader’s jsonValue for %s', (_what, value) => {
    expect(jsonCell(value)).toEqual(jsonValue(value))
  })

  it('writes a Date as its ISO text and an invalid Date as "Invalid Date"', () => {
    expect(jsonCell(new Date(0))).toBe('1970-01-01T00:00:00.000Z')
    expect(jsonCell(new Date(253_402_300_800_000))).toBe('+010000-01-01T00:00:00.000Z')
    expect(jsonCell(new Date(Number.NaN))).toBe('Invalid Date')
  })

  it('leaves nulls and undefined out of a row and keeps the column order', () => {
    const batch = {
      length: 2,
      columns: { b: ['x', null], a: [undefined, 3n], c: [new Date(0), new Uint8Array([1])] },
    }
    expect(rowAt(batch, 0)).toEqual({ b: 'x', c: '1970-01-01T00:00:00.000Z' })
    expect(Object.keys(rowAt(batch, 1))).toEqual(['a', 'c'])
    expect(rowAt(batch, 1)).toEqual({ a: 3, c: 'AQ==' })
  })
})
