import { describe, expect, it } from 'vitest'
import type { JsonSchema } from '../../../../src/core/dataset.js'
import { compileRowValidator } from '../../../../src/core/validate.js'
import { compileColumnarValidator } from '../../../../src/core/validation/columnar.js'
import { schemaProperties } from '../../../../src/core/validation/refs.js'
import { ConfigError } from '../../../../src/errors.js'

const DIR = 'file:///srv/ferry/datasets/orders'
const COMMON = `${DIR}/common.json`

const money = { type: 'number', multipleOf: 0.01, minimum: 0 }
const common = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: COMMON,
  $defs: {
    money,
    // a `#` here means common.json, not the schema that refers to it
    price: { $ref: '#/$defs/money', description: 'a price' },
    currency: { type: 'string', enum: ['EUR', 'USD'] },
  },
}
const refs = { [COMMON]: common }

const root: JsonSchema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: `${DIR}/schema.json`,
  type: 'object',
  required: ['price'],
  properties: {
    price: { $ref: './common.json#/$defs/price' },
    currency: { $ref: 'common.json#/$defs/currency' },
  },
}

describe('$refs across documents', () => {
  it('resolves a relative $ref from the root’s file URL into a sibling document, and on inside it', () => {
    const validate = compileRowValidator(root, 'orders', refs)
    expect(validate({ price: 12.5, currency: 'EUR' })).toEqual({ valid: true })
    expect(validate({ price: -1, currency: 'GBP' })).toEqual({
      valid: false,
      errors: [
        { instancePath: '/price', keyword: 'minimum', message: 'must be >= 0', params: { comparison: '>=', limit: 0 } },
        {
          instancePath: '/currency',
          keyword: 'enum',
          message: 'must be equal to one of the allowed values',
          params: { allowedValues: ['EUR', 'USD'] },
        },
      ],
    })
  })

  it('finds a document by its URI even when it has no $id', () => {
    const { $id: _id, ...anonymous } = common
    const validate = compileRowValidator(root, 'orders', { [COMMON]: anonymous })
    expect(validate({ price: 0.015 })).toMatchObject({ valid: false, errors: [{ keyword: 'multipleOf' }] })
  })

  it('is a ConfigError when a referenced document is missing', () => {
    expect(() => compileRowValidator(root, 'orders')).toThrow(ConfigError)
    expect(() => compileRowValidator(root, 'orders')).toThrow(/can't resolve reference \.\/common\.json/)
  })

  it('compiles the same schema to column checks that give ajv’s verdicts and errors', () => {
    const validator = compileColumnarValidator(root, 'orders', refs)
    expect(validator.mode).toBe('columnar')
    const verdict = validator.validate({
      length: 3,
      columns: { price: [1, 0.015, undefined], currency: ['USD', 'EUR', 'x'] },
    })
    expect([...verdict.invalid]).toEqual([0, 1, 1])
    expect(verdict.errors.get(1)).toMatchObject([{ instancePath: '/price', keyword: 'multipleOf' }])
    expect(verdict.errors.get(2)).toMatchObject([
      { keyword: 'required' },
      { instancePath: '/currency', keyword: 'enum' },
    ])
  })
})

describe('schemaProperties', () => {
  it('returns properties without a $ref as they are', () => {
    const id = { type: 'string' }
    expect(schemaProperties({ properties: { id, any: true } })).toEqual({ id, any: true })
    expect(schemaProperties({ properties: { id } }).id).toBe(id)
    expect(schemaProperties({ type: 'object' })).toEqual({})
  })

  it('replaces local $refs into definitions and $defs by their targets', () => {
    const code = { type: 'string', maxLength: 3 }
    const properties = schemaProperties({
      definitions: { code },
      $defs: { n: { type: 'integer' } },
      properties: { a: { $ref: '#/definitions/code' }, b: { $ref: '#/$defs/n' }, c: { $ref: '#/properties/a' } },
    })
    expect(properties.a).toEqual(code)
    expect(properties.b).toEqual({ type: 'integer' })
    expect(properties.c).toEqual(code)
  })

  it('follows $refs into other documents relative to the root’s $id, along chains, and to whole documents', () => {
    const fee = { $schema: 'https://json-schema.org/draft/2020-12/schema', $id: `${DIR}/fee.json`, type: 'number' }
    const properties = schemaProperties(
      {
        ...root,
        properties: {
          ...(root.properties as object),
          absolute: { $ref: `${COMMON}#/$defs/money` },
          fee: { $ref: './fee.json' },
        },
      },
      { ...refs, [`${DIR}/fee.json`]: fee },
    )
    expect(properties.price).toEqual({ ...money, description: 'a price' })
    expect(properties.currency).toEqual(common.$defs.currency)
    expect(properties.absolute).toEqual(money)
    expect(properties.fee).toEqual({ type: 'number' })
  })

  it('merges the keywords beside a $ref over its target, the nearest winning', () => {
    const properties = schemaProperties({
      $schema: 'https://json-schema.org/draft/2019-09/schema',
      $defs: {
        count: { type: 'integer', minimum: 0 },
        size: { $ref: '#/$defs/count', type: ['integer', 'string'] },
        anything: true,
        nothing: false,
      },
      properties: {
        nullable: { $ref: '#/$defs/count', type: ['integer', 'null'] },
        chained: { $ref: '#/$defs/size', description: 'size' },
        typed: { $ref: '#/$defs/anything', type: 'string' },
        any: { $ref: '#/$defs/anything' },
        none: { $ref: '#/$defs/nothing', type: 'string' },
      },
    })
    expect(properties.nullable).toEqual({ type: ['integer', 'null'], minimum: 0 })
    expect(properties.chained).toEqual({ type: ['integer', 'string'], minimum: 0, description: 'size' })
    expect(properties.typed).toEqual({ type: 'string' })
    expect(properties.any).toBe(true)
    expect(properties.none).toBe(false)
  })

  it('leaves a $ref it cannot follow as it is', () => {
    const unresolvable = {
      missing: { $ref: '#/$defs/nope' },
      otherFile: { $ref: './elsewhere.json#/$defs/x' },
      anchor: { $ref: '#code' },
      loop: { $ref: '#/$defs/a' },
      moved: { $id: 'other.json', $ref: '#/$defs/b' },
      embedded: { $ref: '#/$defs/bundled' },
    }
    const properties = schemaProperties(
      {
        $id: `${DIR}/schema.json`,
        $defs: {
          a: { $ref: '#/$defs/b' },
          b: { $ref: '#/$defs/a' },
          bundled: { $id: 'bundled.json', type: 'string' },
        },
        properties: unresolvable,
      },
      refs,
    )
    expect(properties).toEqual(unresolvable)
  })

  it('reads JSON pointer escapes as ajv does', () => {
    const properties = schemaProperties({
      $defs: { 'a/b': { type: 'string' }, 'c~d': { type: 'number' }, 'e f': { type: 'boolean' } },
      properties: {
        slash: { $ref: '#/$defs/a~1b' },
        tilde: { $ref: '#/$defs/c~0d' },
        space: { $ref: '#/$defs/e%20f' },
      },
    })
    expect(properties).toEqual({ slash: { type: 'string' }, tilde: { type: 'number' }, space: { type: 'boolean' } })
  })

  it('keeps a property named __proto__ as an own property', () => {
    const properties = schemaProperties(JSON.parse('{"properties": {"__proto__": {"type": "string"}}}'))
    expect(Object.hasOwn(properties, '__proto__')).toBe(true)
    expect(Object.getPrototypeOf(properties)).toBe(Object.prototype)
  })
})
