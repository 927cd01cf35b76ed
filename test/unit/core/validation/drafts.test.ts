import { describe, expect, it } from 'vitest'
import type { JsonSchema } from '../../../../src/core/dataset.js'
import { compileRowValidator } from '../../../../src/core/validate.js'
import { declaredDraft } from '../../../../src/core/validation/drafts.js'
import { ConfigError } from '../../../../src/errors.js'

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#'
const DRAFT_2019 = 'https://json-schema.org/draft/2019-09/schema'
const DRAFT_2020 = 'https://json-schema.org/draft/2020-12/schema'

const tuple = (draft: string): JsonSchema => ({
  $schema: draft,
  type: 'object',
  properties: { pair: { type: 'array', prefixItems: [{ type: 'number' }, { type: 'string' }] } },
})

describe('declaredDraft', () => {
  it.each([
    [undefined, 'draft-07'],
    [DRAFT_07, 'draft-07'],
    ['http://json-schema.org/draft-07/schema', 'draft-07'],
    ['https://json-schema.org/draft-07/schema#', 'draft-07'],
    ['https://json-schema.org/draft-07/schema', 'draft-07'],
    [DRAFT_2019, '2019-09'],
    [`${DRAFT_2019}#`, '2019-09'],
    [DRAFT_2020, '2020-12'],
    [`${DRAFT_2020}#`, '2020-12'],
    ['http://json-schema.org/draft-04/schema#', undefined],
    ['http://json-schema.org/draft-06/schema#', undefined],
    ['http://json-schema.org/schema#', undefined],
    ['http://json-schema.org/draft/2020-12/schema', undefined],
    ['constructor', undefined],
    [7, undefined],
  ])('reads $schema %j as %s', ($schema, draft) => {
    expect(declaredDraft($schema === undefined ? {} : { $schema })).toBe(draft)
  })
})

describe('compileRowValidator picks ajv for the declared draft', () => {
  it('compiles every accepted $schema', () => {
    for (const $schema of [DRAFT_07, 'https://json-schema.org/draft-07/schema', `${DRAFT_2019}#`, DRAFT_2020]) {
      const validate = compileRowValidator({ $schema, type: 'object', required: ['a'], properties: { a: {} } }, 'd')
      expect(validate({}).valid).toBe(false)
    }
  })

  it('reads prefixItems only in 2020-12, which allows an open tuple despite strict mode', () => {
    const validate = compileRowValidator(tuple(DRAFT_2020), 'pairs')
    expect(validate({ pair: [1, 'a', true] })).toEqual({ valid: true })
    expect(validate({ pair: ['a', 1] })).toMatchObject({ valid: false, errors: [{ instancePath: '/pair/0' }, {}] })
    expect(() => compileRowValidator(tuple(DRAFT_2019), 'pairs')).toThrow(/unknown keyword: "prefixItems"/)
    expect(() => compileRowValidator(tuple(DRAFT_07), 'pairs')).toThrow(/unknown keyword: "prefixItems"/)
  })

  it('reads dependentRequired from 2019-09 on', () => {
    const schema = (draft: string): JsonSchema => ({
      $schema: draft,
      type: 'object',
      properties: { card: { type: 'string' }, expiry: { type: 'string' } },
      dependentRequired: { card: ['expiry'] },
    })
    for (const draft of [DRAFT_2019, DRAFT_2020]) {
      const validate = compileRowValidator(schema(draft), 'cards')
      expect(validate({ card: 'x' })).toMatchObject({ valid: false, errors: [{ keyword: 'dependentRequired' }] })
      expect(validate({ card: 'x', expiry: 'y' }).valid).toBe(true)
    }
    expect(() => compileRowValidator(schema(DRAFT_07), 'cards')).toThrow(ConfigError)
  })

  it('compiles an ordinary 2020-12 schema: $defs, $ref, prefixItems, dependentRequired, unevaluatedProperties', () => {
    const validate = compileRowValidator(
      {
        $schema: DRAFT_2020,
        type: 'object',
        $defs: { point: { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }], items: false } },
        required: ['at'],
        properties: { at: { $ref: '#/$defs/point' }, label: { type: 'string' }, lang: { type: 'string' } },
        dependentRequired: { label: ['lang'] },
        unevaluatedProperties: false,
      },
      'points',
    )
    expect(validate({ at: [1, 2], label: 'a', lang: 'en' })).toEqual({ valid: true })
    expect(validate({ at: [1, 2, 3], label: 'a', other: 1 })).toMatchObject({
      valid: false,
      errors: [
        { instancePath: '/at', keyword: 'items' },
        { keyword: 'dependentRequired' },
        { keyword: 'unevaluatedProperties', params: { unevaluatedProperty: 'other' } },
      ],
    })
  })

  it('applies the keywords beside a $ref in every draft, draft-07 included (what plan.ts relies on)', () => {
    for (const $schema of [DRAFT_07, DRAFT_2019, DRAFT_2020]) {
      const validate = compileRowValidator(
        {
          $schema,
          type: 'object',
          definitions: { code: { type: 'string', pattern: '^[A-Z]+$' } },
          properties: { code: { $ref: '#/definitions/code', type: 'string', maxLength: 3 } },
        },
        'codes',
      )
      expect(validate({ code: 'ABCD' })).toMatchObject({ valid: false, errors: [{ keyword: 'maxLength' }] })
      expect(validate({ code: 'abc' })).toMatchObject({ valid: false, errors: [{ keyword: 'pattern' }] })
    }
  })

  it.each([
    ['draft-04', 'http://json-schema.org/draft-04/schema#'],
    ['draft-06', 'http://json-schema.org/draft-06/schema#'],
    ['an unknown URI', 'https://example.com/my-meta-schema'],
  ])('rejects %s with a ConfigError listing the supported $schema values', (_what, $schema) => {
    const compile = () => compileRowValidator({ $schema, type: 'object' }, 'old')
    expect(compile).toThrow(ConfigError)
    expect(compile).toThrow(`dataset old: unsupported $schema "${$schema}"`)
    expect(compile).toThrow(/draft-07\/schema, .*2019-09\/schema, .*2020-12\/schema/)
  })

  it('rejects a referenced document written for another draft', () => {
    const root = { $schema: DRAFT_2020, $id: 'file:///d/schema.json', type: 'object' }
    const refs = { 'file:///d/common.json': { $schema: DRAFT_07, $id: 'file:///d/common.json' } }
    expect(() => compileRowValidator(root, 'mixed', refs)).toThrow(
      /must use its draft \(2020-12\):\n {2}- file:\/\/\/d\/common.json declares \$schema/,
    )
  })
})
