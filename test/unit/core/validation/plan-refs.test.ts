import { describe, expect, it } from 'vitest'
import type { JsonSchema } from '../../../../src/core/dataset.js'
import { compileColumnarValidator } from '../../../../src/core/validation/columnar.js'
import { planSchema } from '../../../../src/core/validation/plan.js'

const DRAFT_2020 = 'https://json-schema.org/draft/2020-12/schema'

function planOf(schema: JsonSchema, refs?: Parameters<typeof planSchema>[1]) {
  const planned = planSchema(schema, refs)
  if (!planned.ok) throw new Error(planned.reason)
  return planned.plan
}

const rulesOf = (schema: JsonSchema) => planOf(schema).properties.map(({ rules }) => rules)

describe('planning $ref properties', () => {
  it('ignores root definitions and $defs, and plans a $ref as its target', () => {
    const inline = { type: 'object', properties: { a: { type: 'string', maxLength: 3 }, b: { type: 'integer' } } }
    const viaRefs = {
      type: 'object',
      definitions: { a: { type: 'string', maxLength: 3 }, unused: { type: 'object', properties: {} } },
      $defs: { b: { $ref: '#/$defs/c' }, c: { type: 'integer', title: 'c' } },
      properties: { a: { $ref: '#/definitions/a', description: 'a' }, b: { $ref: '#/$defs/b' } },
    }
    expect(rulesOf(viaRefs)).toEqual(rulesOf(inline))
  })

  it('applies the keywords beside a $ref together with its target, intersecting types', () => {
    const [qty, nullable, never, anything, none] = rulesOf({
      type: 'object',
      definitions: {
        count: { type: ['integer', 'string'], minimum: 1 },
        any: true,
        no: false,
      },
      properties: {
        qty: { $ref: '#/definitions/count', type: 'number', maximum: 50 },
        nullable: { $ref: '#/definitions/count', type: ['string', 'null'], maxLength: 4 },
        never: { $ref: '#/definitions/count', type: 'boolean' },
        anything: { $ref: '#/definitions/any' },
        none: { $ref: '#/definitions/no', type: 'string' },
      },
    })
    expect(qty).toEqual({ types: ['integer'], minimum: 1, maximum: 50 })
    expect(nullable).toEqual({ types: ['string'], minimum: 1, maxLength: 4 })
    expect(never).toEqual({ types: [], minimum: 1 })
    expect(anything).toEqual({})
    expect(none).toBe(false)
  })

  it('resolves $refs into documents given as refs, relative to the root’s $id', () => {
    const refs = {
      'file:///d/common.json': {
        $id: 'file:///d/common.json',
        $defs: { money: { $ref: '#/$defs/decimal' }, decimal: { type: 'number', multipleOf: 0.01 } },
      },
      // no `$id`, and its `#` is flag.json all the same
      'file:///d/flag.json': { $schema: DRAFT_2020, $ref: '#/$defs/flag', $defs: { flag: { type: 'boolean' } } },
    }
    const plan = planOf(
      {
        $schema: DRAFT_2020,
        $id: 'file:///d/schema.json',
        type: 'object',
        $defs: { flag: { type: 'string' } },
        properties: { price: { $ref: './common.json#/$defs/money' }, flag: { $ref: 'flag.json' } },
      },
      refs,
    )
    expect(plan.properties.map(({ rules }) => rules)).toEqual([
      { types: ['number'], multipleOf: 0.01 },
      { types: ['boolean'] },
    ])
  })

  it.each([
    ['a cycle', { definitions: { a: { $ref: '#/definitions/b' }, b: { $ref: '#/definitions/a' } } }, '#/definitions/a'],
    ['a missing target', {}, '#/definitions/nothing'],
    ['an unknown document', {}, 'other.json#/x'],
    ['an anchor', { $defs: { x: { $anchor: 'x', type: 'string' } } }, '#x'],
    ['an embedded $id', { $defs: { x: { $id: 'x.json', type: 'string' } } }, '#/$defs/x'],
  ])('falls back for a $ref to %s', (_what, extra, $ref) => {
    const planned = planSchema({ type: 'object', ...extra, properties: { p: { $ref } } })
    expect(planned).toEqual({
      ok: false,
      reason: `property "p" ($ref ${JSON.stringify($ref)}) leads where the columnar validator does not follow`,
    })
  })

  it('falls back when the $ref and the keywords beside it set one keyword differently, not when alike', () => {
    const schema = (maxLength: number) => ({
      type: 'object',
      $defs: { code: { type: 'string', maxLength: 3 } },
      properties: { code: { $ref: '#/$defs/code', type: 'string', maxLength } },
    })
    expect(planSchema(schema(3)).ok).toBe(true)
    expect(planSchema(schema(2))).toMatchObject({ ok: false, reason: expect.stringContaining('"maxLength" different') })
  })
})

describe('planning unevaluatedProperties', () => {
  const schema = (extra: JsonSchema): JsonSchema => ({
    $schema: DRAFT_2020,
    type: 'object',
    properties: { a: { type: 'string' } },
    ...extra,
  })

  it('closes the object like additionalProperties: false when alone', () => {
    expect(planOf(schema({ unevaluatedProperties: false })).closed).toBe(true)
    expect(planOf(schema({ unevaluatedProperties: true })).closed).toBe(false)
  })

  it('changes nothing beside additionalProperties, which evaluates every property', () => {
    expect(planOf(schema({ additionalProperties: true, unevaluatedProperties: false })).closed).toBe(false)
    expect(planOf(schema({ additionalProperties: false, unevaluatedProperties: { type: 'string' } })).closed).toBe(true)
  })

  it('falls back when it is a schema', () => {
    const validator = compileColumnarValidator(schema({ unevaluatedProperties: { type: 'string' } }), 'open')
    expect(validator.mode).toBe('ajv-fallback')
    expect(validator.reason).toBe('unevaluatedProperties is a schema, not true or false')
  })

  it('gives ajv’s verdict: a row with an undeclared property fails', () => {
    const validator = compileColumnarValidator(schema({ unevaluatedProperties: false }), 'closed')
    expect(validator.mode).toBe('columnar')
    const verdict = validator.validate({ length: 2, columns: { a: ['x', 'y'], b: [undefined, 1] } })
    expect([...verdict.invalid]).toEqual([0, 1])
    expect(verdict.errors.get(1)).toMatchObject([{ keyword: 'unevaluatedProperties' }])
  })
})
