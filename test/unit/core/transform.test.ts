import { describe, expect, it } from 'vitest'
import { defineDataset } from '../../../src/core/dataset.js'
import type { OutputColumn } from '../../../src/core/formats/columns.js'
import {
  applyColumnSteps,
  type ColumnStep,
  type Columns,
  cast,
  derive,
  drop,
  rename,
  rowTransform,
} from '../../../src/core/transform.js'
import { castValue } from '../../../src/core/transform-cast.js'
import { utcDate } from '../../../src/core/transform-values.js'
import { ConfigError } from '../../../src/errors.js'

function columns(entries: Record<string, unknown[]>): Columns {
  return new Map(Object.entries(entries))
}

describe('applyColumnSteps', () => {
  it('renames, drops, casts and derives whole columns in order', () => {
    const data = columns({ a: [1, 2, 3], b: ['x', 'y', null], gone: [true, false, true] })
    const steps: ColumnStep[] = [
      rename('a', 'n'),
      drop('gone'),
      derive('sum', ['n', 'b'], (n, b) => `${n}${b ?? '-'}`),
      cast('n', 'string'),
      derive('b', ['b'], (b) => (b as string | null)?.toUpperCase()),
    ]
    expect(applyColumnSteps(steps, data, 3)).toEqual([])
    expect(Object.fromEntries(data)).toEqual({
      n: ['1', '2', '3'],
      b: ['X', 'Y', null],
      sum: ['1x', '2y', '3-'],
    })
  })

  it('records each row a step throws for, gives it null and carries on with the next row', () => {
    const data = columns({ v: ['1', 'two', '3', 'four'] })
    const failures = applyColumnSteps([cast('v', 'int32')], data, 4)
    expect(failures.map((failure) => [failure.index, (failure.error as Error).message])).toEqual([
      [1, 'cannot cast string "two" to int32'],
      [3, 'cannot cast string "four" to int32'],
    ])
    expect(data.get('v')).toEqual([1, null, 3, null])
  })

  it('does not run steps for rows flagged to skip', () => {
    const seen: unknown[] = []
    const data = columns({ v: [1, 2, 3] })
    const record = (v: unknown) => {
      seen.push(v)
      return v
    }
    applyColumnSteps([derive('w', ['v'], record)], data, 3, Uint8Array.of(0, 1, 0))
    expect(seen).toEqual([1, 3])
    expect(data.get('w')).toEqual([1, null, 3])
  })

  it('hands derive functions row-model values: null for absent, numbers for safe BigInts, Dates as they are', () => {
    const at = new Date('2026-11-23T10:00:00Z')
    const data = columns({ big: [5n, 2n ** 60n, null], when: [at, '2026-11-23T10:00:00Z', undefined] })
    const inputs: unknown[][] = []
    applyColumnSteps([derive('x', ['big', 'when', 'missing'], (...args) => inputs.push(args))], data, 3)
    expect(inputs).toEqual([
      [5, at, null],
      ['1152921504606846976', '2026-11-23T10:00:00Z', null],
      [null, null, null],
    ])
  })
})

describe('castValue', () => {
  it.each([
    ['string', 12.5, '12.5'],
    ['string', new Date('2026-11-23T10:00:00.000Z'), '2026-11-23T10:00:00.000Z'],
    ['int32', '42', 42],
    ['int32', BigInt(7), 7],
    ['int64', '9007199254740993', BigInt('9007199254740993')],
    ['int64', 12, 12],
    ['double', ' 1.5 ', 1.5],
    ['boolean', 'true', true],
    ['timestamp', '2026-11-23T10:00:00+01:00', '2026-11-23T10:00:00+01:00'],
    ['date', '2026-11-23T23:30:00-02:00', '2026-11-24'],
    ['date', new Date('2026-11-23T10:00:00Z'), '2026-11-23'],
  ] as const)('casts to %s: %s', (to, value, expected) => {
    expect(castValue(value, to)).toEqual(expected)
  })

  it.each([
    ['int32', 2 ** 31],
    ['int32', '1.5'],
    ['int64', '99999999999999999999'],
    ['double', 'abc'],
    ['boolean', 'yes'],
    ['timestamp', '2026-02-30T00:00:00Z'],
    ['date', 'tomorrow'],
    ['string', { a: 1 }],
  ] as const)('refuses %s from %s with a TypeError', (to, value) => {
    expect(() => castValue(value, to)).toThrow(TypeError)
  })

  it('keeps null', () => {
    expect(castValue(null, 'int32')).toBeNull()
    expect(castValue(undefined, 'string')).toBeNull()
  })
})

describe('utcDate', () => {
  it('reads Dates and date-times alike, in UTC', () => {
    expect(utcDate(new Date('2026-11-24T00:30:00+01:00'))).toBe('2026-11-23')
    expect(utcDate('2026-11-24T00:30:00+01:00')).toBe('2026-11-23')
    expect(utcDate('1969-12-31T23:59:59.999Z')).toBe('1969-12-31')
    expect(utcDate('not a time')).toBeUndefined()
    expect(utcDate(new Date(Number.NaN))).toBeUndefined()
  })
})

const OUTPUT: OutputColumn[] = [
  { name: 'id', type: 'string' },
  { name: 'upper', type: 'string' },
]

describe('rowTransform', () => {
  it('applies the steps to one row and keeps exactly the output columns, null when absent', () => {
    const transform = rowTransform([derive('upper', ['name'], (name) => (name as string).toUpperCase())], OUTPUT)
    expect(transform({ id: 'a', name: 'ada', extra: 1 })).toEqual({ id: 'a', upper: 'ADA' })
    expect(transform({ name: 'bob' })).toEqual({ id: null, upper: 'BOB' })
  })

  it('throws what the step threw', () => {
    const transform = rowTransform([derive('upper', ['name'], (name) => (name as string).toUpperCase())], OUTPUT)
    expect(() => transform({ id: 'a' })).toThrow(TypeError)
  })
})

describe('defineDataset with column steps', () => {
  const base = {
    name: 'people',
    keys: [/people/],
    schema: { type: 'object' },
    outputColumns: OUTPUT,
    eventTimeField: 'at',
  }
  const steps = [derive('upper', ['name'], (name) => (name as string).toUpperCase())]

  it('derives the row transform from the steps and keeps the steps for the engine', () => {
    const people = defineDataset({ ...base, columns: steps })
    expect(people.columns).toBe(steps)
    expect(people.transform({ id: 'a', name: 'ada' })).toEqual({ id: 'a', upper: 'ADA' })
    // redefining it unchanged keeps the column path
    expect(defineDataset({ ...people }).columns).toBe(steps)
  })

  it('runs a replaced row transform instead of the steps', () => {
    const people = defineDataset({ ...base, columns: steps })
    const replaced = defineDataset({ ...people, transform: (row) => row })
    expect(replaced.columns).toBeUndefined()
    expect(replaced.transform({ id: 'a' })).toEqual({ id: 'a' })
  })

  it('refuses a dataset with neither', () => {
    expect(() => defineDataset(base)).toThrow(ConfigError)
    expect(() => defineDataset(base)).toThrow(/a transform or column steps are required/)
  })
})
