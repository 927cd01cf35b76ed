import { describe, expect, it } from 'vitest'
import { defineDataset } from '../../../src/core/dataset.js'
import { compileRowValidator, rowValidator } from '../../../src/core/validate.js'
import { ConfigError } from '../../../src/errors.js'

const schema = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'at'],
  properties: {
    id: { type: 'string', pattern: '^[a-z]+$' },
    at: { type: 'string', format: 'date-time' },
    n: { type: ['integer', 'null'], minimum: 0 },
  },
}

describe('compileRowValidator', () => {
  const validate = compileRowValidator(schema, 'test')

  it('accepts a conforming row', () => {
    expect(validate({ id: 'abc', at: '2026-11-23T10:00:00Z', n: 3 })).toEqual({ valid: true })
    expect(validate({ id: 'abc', at: '2026-11-23T10:00:00Z', n: null })).toEqual({ valid: true })
  })

  it('reports every error of a row, ajv-style', () => {
    expect(validate({ at: 'yesterday', n: -1, extra: true })).toEqual({
      valid: false,
      errors: [
        {
          instancePath: '',
          keyword: 'required',
          message: "must have required property 'id'",
          params: { missingProperty: 'id' },
        },
        {
          instancePath: '',
          keyword: 'additionalProperties',
          message: 'must NOT have additional properties',
          params: { additionalProperty: 'extra' },
        },
        {
          instancePath: '/at',
          keyword: 'format',
          message: 'must match format "date-time"',
          params: { format: 'date-time' },
        },
        { instancePath: '/n', keyword: 'minimum', message: 'must be >= 0', params: { comparison: '>=', limit: 0 } },
      ],
    })
  })

  it('checks formats strictly: a date-time needs a zone and a real date', () => {
    expect(validate({ id: 'a', at: '2026-11-23T10:00:00' }).valid).toBe(false)
    expect(validate({ id: 'a', at: '2026-02-30T10:00:00Z' }).valid).toBe(false)
  })

  it('does not coerce types', () => {
    expect(validate({ id: 'a', at: '2026-11-23T10:00:00Z', n: '3' })).toMatchObject({
      valid: false,
      errors: [{ instancePath: '/n', keyword: 'type' }],
    })
  })

  it('requires listed properties to be defined, catching misspelt names', () => {
    const misspelt = { type: 'object', required: ['order_idd'], properties: { order_id: { type: 'string' } } }
    expect(() => compileRowValidator(misspelt, 'typo')).toThrow(/order_idd/)
  })

  it('turns a misspelt keyword into a ConfigError naming the dataset', () => {
    expect(() =>
      compileRowValidator({ type: 'object', properties: { a: { type: 'string', maxlength: 3 } } }, 'typo'),
    ).toThrow(ConfigError)
    expect(() =>
      compileRowValidator({ type: 'object', properties: { a: { type: 'string', maxlength: 3 } } }, 'typo'),
    ).toThrow(/dataset typo: invalid JSON Schema/)
  })

  it('keeps datasets apart even when their schemas share an $id', () => {
    const object = (required: string) => ({
      $id: 'same',
      type: 'object',
      required: [required],
      properties: { [required]: {} },
    })
    const first = compileRowValidator(object('a'), 'first')
    const second = compileRowValidator(object('b'), 'second')
    expect(first({ a: 1 }).valid).toBe(true)
    expect(second({ a: 1 }).valid).toBe(false)
  })
})

describe('rowValidator', () => {
  it('compiles a dataset schema once and reuses it', () => {
    const dataset = defineDataset({
      name: 'cached',
      keys: [/cached/],
      schema,
      transform: (row) => row,
      outputColumns: [{ name: 'id', type: 'string' }],
      eventTimeField: 'at',
    })
    expect(rowValidator(dataset)).toBe(rowValidator(dataset))
    expect(rowValidator({ ...dataset, name: 'same schema' })).toBe(rowValidator(dataset))
  })
})
