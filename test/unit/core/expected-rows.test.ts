import { describe, expect, it } from 'vitest'
import { canonicalRow, compareRejected, compareRows } from '../../../src/core/expected-rows.js'
import type { OutputColumn } from '../../../src/core/formats/columns.js'

const columns: OutputColumn[] = [
  { name: 'id', type: 'string' },
  { name: 'at', type: 'timestamp' },
  { name: 'day', type: 'date' },
  { name: 'n', type: 'int64' },
]

describe('canonicalRow', () => {
  it('writes every output column in order, timestamps without empty fractions', () => {
    expect(canonicalRow({ n: 3, id: 'a', at: '2026-11-23T08:15:00.000Z' }, columns)).toEqual({
      id: 'a',
      at: '2026-11-23T08:15:00Z',
      day: null,
      n: 3,
    })
    expect(canonicalRow({ at: '2026-11-23T08:15:00.120Z' }, columns).at).toBe('2026-11-23T08:15:00.120Z')
    expect(canonicalRow({ at: '2026-11-23T08:15:00.123456Z' }, columns).at).toBe('2026-11-23T08:15:00.123456Z')
  })
})

describe('compareRows', () => {
  const written = [
    { id: 'a', at: '2026-11-23T08:15:00Z', day: '2026-11-23', n: 1 },
    { id: 'b', at: '2026-11-23T09:00:00Z', day: '2026-11-23', n: 2 },
  ]

  it('finds no difference in equal rows, whatever offset or absent nulls the expectation uses', () => {
    const expected = [
      { id: 'a', at: '2026-11-23T09:15:00+01:00', day: '2026-11-23', n: 1 },
      { id: 'b', at: '2026-11-23T09:00:00.000Z', day: '2026-11-23', n: 2 },
    ]
    expect(compareRows(expected, written, columns)).toEqual([])
    expect(compareRows([{ id: 'x' }], [{ id: 'x', at: null, day: null, n: null }], columns)).toEqual([])
  })

  it('names each differing cell, missing and extra rows, and unknown columns', () => {
    expect(compareRows([{ ...written[0], n: 7 }, written[1]!], written, columns)).toEqual([
      'row 1: n: expected 7, got 1',
    ])
    expect(compareRows([written[0]!], written, columns)).toEqual([
      'expected 1 row(s), got 2',
      `row 2: unexpected ${JSON.stringify(written[1])}`,
    ])
    expect(compareRows([...written, { id: 'c' }], written, columns)).toEqual([
      'expected 3 row(s), got 2',
      'row 3: missing {"id":"c"}',
    ])
    expect(compareRows([{ ...written[0], colour: 'red' }, written[1]!], written, columns)[0]).toBe(
      'expected.ndjson names columns the dataset does not write: colour',
    )
  })

  it('stops after the first ten differences', () => {
    const many = Array.from({ length: 30 }, (_, i) => ({ id: `${i}` }))
    expect(compareRows(many, [], columns)).toHaveLength(10)
  })
})

describe('compareRejected', () => {
  const actual = [
    {
      row_number: 4,
      row: { id: 'x' },
      errors: [{ instancePath: '/id', keyword: 'pattern', message: 'must match pattern "^a"' }],
    },
  ]

  it('matches the fields an expectation gives, and no more', () => {
    expect(compareRejected([{ row_number: 4 }], actual)).toEqual([])
    expect(compareRejected([{ row_number: 4, errors: [{ keyword: 'pattern' }] }], actual)).toEqual([])
  })

  it('reports rows rejected unexpectedly, not rejected, and other errors', () => {
    expect(compareRejected([], actual)).toEqual(['record 4: rejected unexpectedly: /id must match pattern "^a"'])
    expect(compareRejected([...actual, { row_number: 5 }], actual)).toEqual([
      'record 5: expected to be rejected, was written',
    ])
    expect(compareRejected([{ row_number: 4, errors: [{ keyword: 'minimum' }] }], actual)).toEqual([
      expect.stringMatching(/^record 4: no error \{"keyword":"minimum"\} among/),
    ])
  })
})
