/** Schemas the columnar validator must leave to ajv, with columns holding nested and odd values. */
import type { JsonSchema } from '../../../../../src/core/dataset.js'
import type { ColumnSpec, DifferentialCase } from './cases.js'
import { DIGITS, unicodeText, WRONG_TYPES } from './values.js'

const fallback = (name: string, schema: JsonSchema, columns: Record<string, ColumnSpec>, keywords: string[]) => ({
  name: `fallback: ${name}`,
  schema,
  columns,
  rows: 3_000,
  mode: 'ajv-fallback' as const,
  keywords,
})

export const FALLBACK_CASES: DifferentialCase[] = [
  fallback(
    'nested object',
    {
      type: 'object',
      required: ['address'],
      properties: {
        id: { type: 'string' },
        address: {
          type: 'object',
          required: ['zip'],
          properties: { zip: { type: 'string', pattern: '^[0-9]{5}$' }, floor: { type: 'integer' } },
        },
      },
    },
    {
      id: { valid: (g) => unicodeText(g, 3), noisy: (g) => g.pick(WRONG_TYPES) },
      address: {
        valid: (g) => ({ zip: g.text(5, DIGITS), floor: g.pick([1, 2n, null]) }),
        noisy: (g) =>
          g.pick([{ zip: g.text(g.int(4, 6), [...DIGITS, 'a']), floor: g.pick([1.5, 2n ** 60n]) }, ...WRONG_TYPES]),
      },
    },
    ['type', 'pattern', 'required'],
  ),
  fallback(
    'array items',
    {
      type: 'object',
      properties: { tags: { type: 'array', minItems: 1, items: { type: 'string', maxLength: 3 } } },
    },
    {
      tags: {
        valid: (g) => Array.from({ length: g.int(1, 3) }, () => unicodeText(g, g.int(1, 3))),
        noisy: (g) => g.pick([[], ['abcd'], new Float64Array([1]), new Uint8Array([1]), ...WRONG_TYPES]),
      },
    },
    ['minItems', 'maxLength', 'type'],
  ),
  fallback(
    'oneOf, $ref and an unknown format',
    {
      type: 'object',
      definitions: { code: { type: 'string', pattern: '^[A-Z]{3}$' } },
      properties: {
        a: { type: 'number' },
        b: { $ref: '#/definitions/code' },
        host: { type: 'string', format: 'hostname' },
      },
      oneOf: [
        { required: ['a'], properties: { a: true } },
        { required: ['b'], properties: { b: true } },
      ],
    },
    {
      a: { valid: () => 1, noisy: (g) => g.pick([2n, 'x', Number.NaN]), nulls: 0.5 },
      b: { valid: () => 'ABC', noisy: (g) => g.pick(['AB', 'abc', 1]), nulls: 0.5 },
      host: { valid: () => 'example.com', noisy: (g) => g.pick(['-bad.com', 'a'.repeat(64), 'x_y']) },
    },
    ['oneOf', 'pattern', 'format', 'type'],
  ),
  fallback(
    'dependencies and a prototype-named property',
    {
      type: 'object',
      properties: { a: { type: 'number' }, b: { type: 'number' }, constructor: { type: 'string' } },
      dependencies: { a: ['b'] },
    },
    {
      a: { valid: () => 1, noisy: () => 'x', nulls: 0.5 },
      b: { valid: () => 2, noisy: () => 'x', nulls: 0.5 },
      constructor: { valid: () => 'c', noisy: () => 1, nulls: 0.5 },
    },
    ['dependencies', 'type'],
  ),
]
