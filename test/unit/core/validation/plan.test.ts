import { describe, expect, it } from 'vitest'
import ordersSchema from '../../../../examples/project/datasets/orders/schema.json' with { type: 'json' }
import type { JsonSchema } from '../../../../src/core/dataset.js'
import { compileColumnarValidator } from '../../../../src/core/validation/columnar.js'
import { planSchema } from '../../../../src/core/validation/plan.js'
import { ConfigError } from '../../../../src/errors.js'

const object = (extra: JsonSchema): JsonSchema => ({ type: 'object', ...extra })

describe('choosing between column checks and the ajv fallback', () => {
  it('compiles the orders schema to column checks', () => {
    const validator = compileColumnarValidator(ordersSchema, 'orders')
    expect(validator.mode).toBe('columnar')
    expect(validator.reason).toBeUndefined()
  })

  it('reads each property of the orders schema into rules', () => {
    const planned = planSchema(ordersSchema)
    if (!planned.ok) throw new Error(planned.reason)
    expect(planned.plan.closed).toBe(true)
    const quantity = planned.plan.properties.find((property) => property.name === 'quantity')
    expect(quantity).toEqual({
      name: 'quantity',
      required: true,
      rules: { types: ['integer'], minimum: 1, maximum: 10_000 },
    })
    const note = planned.plan.properties.find((property) => property.name === 'note')
    expect(note).toEqual({ name: 'note', required: false, rules: { types: ['string', 'null'], maxLength: 500 } })
  })

  it.each([
    [
      'a nested object',
      object({ properties: { address: { type: 'object', properties: { zip: { type: 'string' } } } } }),
      'property "address" uses keyword "properties"',
    ],
    ['array items', object({ properties: { tags: { type: 'array', items: { type: 'string' } } } }), 'keyword "items"'],
    [
      'a $ref to a nested object',
      object({
        definitions: { b: { type: 'object', properties: { zip: { type: 'string' } } } },
        properties: { a: { $ref: '#/definitions/b' } },
      }),
      'property "a" ($ref "#/definitions/b") uses keyword "properties"',
    ],
    [
      'a $ref to the root',
      object({ properties: { a: { $ref: '#' } } }),
      'property "a" ($ref "#") uses keyword "properties"',
    ],
    [
      'oneOf',
      object({ properties: { a: { type: 'number' } }, oneOf: [{ minProperties: 1 }, { maxProperties: 0 }] }),
      'the schema uses keyword "oneOf"',
    ],
    ['anyOf inside a property', object({ properties: { a: { anyOf: [{ type: 'string' }] } } }), 'keyword "anyOf"'],
    ['patternProperties', object({ patternProperties: { '^x': { type: 'string' } } }), 'keyword "patternProperties"'],
    [
      'dependencies',
      object({ properties: { a: true, b: true }, dependencies: { a: ['b'] } }),
      'keyword "dependencies"',
    ],
    ['minProperties', object({ minProperties: 1 }), 'keyword "minProperties"'],
    [
      'a format it does not check',
      object({ properties: { h: { type: 'string', format: 'hostname' } } }),
      'format "hostname"',
    ],
    [
      'an ajv-formats comparison keyword',
      object({ properties: { d: { type: 'string', format: 'date', formatMaximum: '2026-01-01' } } }),
      'keyword "formatMaximum"',
    ],
    [
      'additionalProperties as a schema',
      object({ additionalProperties: { type: 'number' } }),
      'additionalProperties is a schema',
    ],
    [
      'a property named after Object.prototype',
      object({ properties: { toString: { type: 'string' } } }),
      'Object.prototype',
    ],
    ['an enum holding NaN', object({ properties: { a: { enum: [1, Number.NaN] } } }), 'not plain JSON'],
    ['a root that is not an object', { type: 'string' }, 'does not describe an object'],
  ])('falls back to ajv for %s, saying why', (_what, schema, reason) => {
    const validator = compileColumnarValidator(schema, 'fallback')
    expect(validator.mode).toBe('ajv-fallback')
    expect(validator.reason).toContain(reason)
  })

  it('rejects an invalid schema with a ConfigError, like the row validator', () => {
    expect(() => compileColumnarValidator(object({ properties: { a: { type: 'text' } } }), 'broken')).toThrow(
      ConfigError,
    )
    expect(() => compileColumnarValidator(object({ properties: { a: { formt: 'date' } } }), 'typo')).toThrow(
      /unknown keyword: "formt"/,
    )
  })
})
