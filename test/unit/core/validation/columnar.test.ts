import { describe, expect, it } from 'vitest'
import ordersSchema from '../../../../examples/project/datasets/orders/schema.json' with { type: 'json' }
import { compileRowValidator } from '../../../../src/core/validate.js'
import { type ColumnBatch, compileColumnarValidator, rowAt } from '../../../../src/core/validation/columnar.js'

const ordersBatch = (): ColumnBatch => ({
  length: 3,
  columns: {
    order_id: ['ORD-00000001', 'ORD-0000002', 'ORD-00000003'],
    customer_id: ['c1', 'c2', ''],
    ordered_at: [new Date(Date.UTC(2026, 10, 23, 12)), '2026-11-23T12:00:00Z', '2026-02-30T00:00:00Z'],
    amount: new Float64Array([12.5, 0, Number.NaN]),
    currency: ['EUR', 'USD', 'eur'],
    country: ['DE', 'fr', 'DEU'],
    quantity: new BigInt64Array([1n, 10_000n, 2n ** 53n]),
    note: [null, undefined, 'x'.repeat(501)],
  },
})

describe('columnar verdicts', () => {
  const validator = compileColumnarValidator(ordersSchema, 'orders')
  const reference = compileRowValidator(ordersSchema, 'orders')

  it('flags failing rows and reports exactly the errors ajv reports for them', () => {
    const batch = ordersBatch()
    const verdict = validator.validate(batch)
    expect([...verdict.invalid]).toEqual([0, 1, 1])
    expect(verdict.invalidCount).toBe(2)
    expect([...verdict.errors.keys()]).toEqual([1, 2])
    for (const [index, errors] of verdict.errors) {
      expect(reference(rowAt(batch, index))).toEqual({ valid: false, errors })
    }
    expect(verdict.errors.get(1)).toEqual([
      {
        instancePath: '/order_id',
        keyword: 'pattern',
        message: 'must match pattern "^ORD-[0-9]{8}$"',
        params: { pattern: '^ORD-[0-9]{8}$' },
      },
    ])
    expect(verdict.errors.get(2)?.map((error) => `${error.instancePath} ${error.keyword}`)).toEqual([
      '/customer_id minLength',
      '/ordered_at format',
      '/amount type',
      '/currency enum',
      '/country pattern',
      '/quantity type',
      '/note maxLength',
    ])
  })

  it('treats an absent column as missing in every row', () => {
    const { note: _note, ...columns } = ordersBatch().columns
    expect(validator.validate({ length: 3, columns }).invalidCount).toBe(2)
    const { quantity: _quantity, ...withoutQuantity } = columns
    const verdict = validator.validate({ length: 3, columns: withoutQuantity })
    expect(verdict.invalidCount).toBe(3)
    expect(verdict.errors.get(0)).toEqual([
      {
        instancePath: '',
        keyword: 'required',
        message: "must have required property 'quantity'",
        params: { missingProperty: 'quantity' },
      },
    ])
  })

  it('rejects a value in a column the schema does not declare, but not a null one', () => {
    const batch = ordersBatch()
    batch.columns.extra = [null, undefined, 1]
    const verdict = validator.validate({ length: 1, columns: batch.columns })
    expect(verdict.invalidCount).toBe(0)
    expect(validator.validate(batch).errors.get(2)?.at(0)?.keyword).toBe('additionalProperties')
  })

  it('leaves columns named after Object.prototype members to ajv', () => {
    // Object.fromEntries makes own `__proto__` and `toString` columns, as a reader building a batch would;
    // assigning them to a row is what only ajv can judge (a primitive __proto__ is dropped, an object
    // becomes the row's prototype)
    const batch: ColumnBatch = {
      length: 3,
      columns: Object.fromEntries([
        ...Object.entries(ordersBatch().columns),
        ['__proto__', ['x', { surprise: 1 }, null]],
        ['toString', [null, null, 'y']],
      ]),
    }
    expect(Object.keys(batch.columns)).toContain('__proto__')
    const verdict = validator.validate(batch)
    for (let index = 0; index < batch.length; index++) {
      const expected = reference(rowAt(batch, index))
      expect(verdict.invalid[index]).toBe(expected.valid ? 0 : 1)
      expect(verdict.errors.get(index)).toEqual(expected.valid ? undefined : expected.errors)
    }
    expect(verdict.invalid[0]).toBe(0)
  })

  it('handles an empty batch', () => {
    expect(validator.validate({ length: 0, columns: {} })).toEqual({
      invalid: new Uint8Array(0),
      invalidCount: 0,
      errors: new Map(),
    })
  })

  it('gives the same verdict shape in fallback mode', () => {
    const nested = compileColumnarValidator(
      {
        type: 'object',
        properties: { a: { type: 'object', required: ['b'], properties: { b: { type: 'integer' } } } },
      },
      'nested',
    )
    expect(nested.mode).toBe('ajv-fallback')
    const verdict = nested.validate({ length: 3, columns: { a: [{ b: 1n }, { b: 2n ** 60n }, null] } })
    expect([...verdict.invalid]).toEqual([0, 1, 0])
    expect(verdict.errors.get(1)).toEqual([
      { instancePath: '/a/b', keyword: 'type', message: 'must be integer', params: { type: 'integer' } },
    ])
  })
})
