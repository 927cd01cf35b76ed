import { describe, expect, it } from 'vitest'
import { type DatasetSpec, datasetFromSpec, parseStep } from '../../../src/core/dataset-spec.js'
import { processFile } from '../../../src/core/engine.js'
import { readParquetRows } from '../../../src/core/formats/parquet.js'
import { keyMatcher } from '../../../src/core/keys.js'
import { derive } from '../../../src/core/transform.js'

const spec: DatasetSpec = {
  name: 'people',
  file: '/p/datasets/people/dataset.yaml',
  schemaFile: '/p/datasets/people/schema.json',
  keys: [keyMatcher('people/**')],
  priority: 0,
  schema: { type: 'object' },
  outputColumns: [
    { name: 'id', type: 'string' },
    { name: 'name', type: 'string' },
    { name: 'born', type: 'date' },
  ],
  quality: { minRowRatio: 0.95, maxRejectedRate: 0.05 },
  steps: [
    { op: 'rename', column: 'full_name', to: 'name' },
    { op: 'derive', column: 'name', from: ['name'], fn: 'trim', args: {} },
    { op: 'derive', column: 'born', from: ['born_at'], fn: 'utc_date', args: {} },
    { op: 'drop', column: 'born_at' },
  ],
}

describe('parseStep', () => {
  it('normalises each form dataset.yaml writes', () => {
    expect(parseStep({ rename: 'a', to: 'b' })).toEqual({ step: { op: 'rename', column: 'a', to: 'b' }, problems: [] })
    expect(parseStep({ cast: 'n', to: 'int32' })).toEqual({
      step: { op: 'cast', column: 'n', to: 'int32' },
      problems: [],
    })
    expect(parseStep({ drop: 'x' })).toEqual({ step: { op: 'drop', column: 'x' }, problems: [] })
    expect(parseStep({ derive: 'c', fn: 'upper' }).step).toEqual({
      op: 'derive',
      column: 'c',
      from: ['c'],
      fn: 'upper',
      args: {},
    })
    expect(parseStep({ derive: 'k', from: ['a', 'b'], fn: 'concat', args: { separator: '-' } }).step).toMatchObject({
      from: ['a', 'b'],
      args: { separator: '-' },
    })
    expect(parseStep({ derive: 'source', fn: 'constant', args: { value: 'crm' } }).step).toMatchObject({ from: [] })
  })

  it('says what is wrong, field by field', () => {
    expect(parseStep('upper').problems).toEqual(['must be a mapping with one of rename, cast, drop or derive'])
    expect(parseStep({ rename: 'a', drop: 'b' }).problems).toEqual([
      'must have exactly one of rename, cast, drop or derive, has rename, drop',
    ])
    expect(parseStep({ cast: 'n', to: 'integer' }).problems).toEqual([
      'to: must be one of string, int32, int64, double, boolean, timestamp, date',
    ])
    expect(parseStep({ derive: 'c', fn: 'upper', form: 1 }).problems).toEqual(['form: unknown field for a derive step'])
    expect(parseStep({ derive: 'c', fn: 'uper' }).problems).toEqual([
      expect.stringMatching(/^fn: unknown function "uper"/),
    ])
    expect(parseStep({ derive: 'c', from: ['a', 3], fn: 'coalesce' }).problems).toEqual([
      'from.1: must be a column name',
    ])
  })

  it('takes a function as value only from code', () => {
    const value = (x: unknown) => x
    expect(parseStep({ derive: 'c', value })).toEqual({ problems: ['value: unknown field for a derive step'] })
    expect(parseStep({ derive: 'c', value }, { code: true }).step).toMatchObject({ op: 'derive', column: 'c', value })
  })
})

describe('datasetFromSpec', () => {
  const row = { id: 'p1', full_name: '  Ann Lee ', born_at: '1990-05-01T23:30:00-02:00' }

  it('compiles the declarative steps to column steps and the matching row transform', () => {
    const dataset = datasetFromSpec(spec)
    expect(dataset.columns).toHaveLength(4)
    expect(dataset.transform(row)).toEqual({ id: 'p1', name: 'Ann Lee', born: '1990-05-02' })
  })

  it("runs a module's steps after the declared ones, still over columns", () => {
    const dataset = datasetFromSpec(spec, { steps: [derive('name', ['name'], (n) => String(n).toUpperCase())] })
    expect(dataset.columns).toHaveLength(5)
    expect(dataset.transform(row).name).toBe('ANN LEE')
  })

  it("runs a module's row function last, on the row after every step", () => {
    const seen: unknown[] = []
    const dataset = datasetFromSpec(spec, {
      steps: [],
      transform: (r) => {
        seen.push(r)
        return { ...r, id: `person-${r.id}` }
      },
    })
    expect(dataset.columns).toBeUndefined()
    expect(dataset.transform(row)).toMatchObject({ id: 'person-p1', name: 'Ann Lee', born: '1990-05-02' })
    expect(seen).toEqual([{ id: 'p1', name: 'Ann Lee', born: '1990-05-02' }])
  })
})

describe('a dataset whose schema types its columns through $refs', () => {
  const common = 'file:///p/datasets/lines/common.json'
  const lines: DatasetSpec = {
    ...spec,
    name: 'lines',
    keys: [keyMatcher('lines/**')],
    schema: {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: 'file:///p/datasets/lines/schema.json',
      type: 'object',
      $defs: { qty: { type: 'integer', minimum: 1 } },
      properties: {
        sku: { type: 'string' },
        qty: { $ref: '#/$defs/qty' },
        price: { $ref: './common.json#/$defs/money' },
      },
      required: ['sku', 'qty', 'price'],
      additionalProperties: false,
    },
    schemaRefs: { [common]: { $id: common, $defs: { money: { type: 'number', minimum: 0 } } } },
    outputColumns: [
      { name: 'sku', type: 'string' },
      { name: 'qty', type: 'int32' },
      { name: 'price', type: 'double' },
    ],
    steps: [],
  }

  it('reads CSV text as the referenced types and validates against them', async () => {
    const csv = 'sku,qty,price\nA,2,9.5\nB,0,1\nC,x,2\n'
    const report = await processFile(new TextEncoder().encode(csv), datasetFromSpec(lines), { key: 'lines/a.csv' })
    expect(report).toMatchObject({ rowsIn: 3, rowsOut: 1, rowsRejected: 2 })
    const { rows } = await readParquetRows(report.output)
    expect(rows).toEqual([{ sku: 'A', qty: 2, price: 9.5 }])
    expect(report.firstErrors.map((e) => [e.row, e.instancePath, e.keyword])).toEqual([
      [2, '/qty', 'minimum'],
      [3, '/qty', 'type'],
    ])
  })
})
