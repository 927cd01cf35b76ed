/**
 * Schemas whose properties are `$ref`s: into `definitions` or `$defs`, along chains, beside other
 * keywords, and into sibling documents passed as `refs`. Most compile to column checks; the rest
 * must fall back to ajv for the stated reason.
 */
import type { ColumnSpec, DifferentialCase } from './cases.js'
import {
  BIGINT_EDGES,
  DIGITS,
  dateTimeText,
  type Gen,
  instant,
  mutate,
  NUMBER_EDGES,
  nearNumber,
  unicodeText,
  uuidText,
  validDateTimeText,
  validInstant,
  validUuid,
  WRONG_TYPES,
} from './values.js'

const UPPER = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ']
const CODES = ['EUR', 'USD', 'GB', '€']

const code = (g: Gen): string => `${g.text(2, UPPER)}-${g.text(3, DIGITS)}`

const amount: ColumnSpec = {
  valid: (g) => Math.round(g.float(0, 1000)),
  noisy: (g) => (g.chance(0.7) ? nearNumber(g, g.pick([0, 1000])) : g.pick([...NUMBER_EDGES, ...BIGINT_EDGES])),
  typed: { array: 'float64', value: (g) => (g.chance(0.97) ? g.float(0, 1000) : g.pick(NUMBER_EDGES)) },
}

/** draft-07 spelling; the differential test also runs it as 2019-09 and 2020-12. */
export const definitionsCase: DifferentialCase = {
  name: '$ref into definitions: chains, siblings, booleans, another property',
  schema: {
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    required: ['id', 'price'],
    additionalProperties: false,
    definitions: {
      id: { type: 'string', pattern: '^[A-Z]{2}-[0-9]{3}$' },
      price: { $ref: '#/definitions/amount', description: 'a price' },
      amount: { type: 'number', minimum: 0, maximum: 1000 },
      code: { type: 'string', enum: CODES },
      count: { type: ['integer', 'string'], minimum: 1 },
      anything: true,
      nothing: false,
    },
    properties: {
      id: { $ref: '#/definitions/id', description: 'the order' },
      price: { $ref: '#/definitions/price' },
      same: { $ref: '#/properties/price' },
      currency: { $ref: '#/definitions/code', type: 'string' },
      short: { $ref: '#/definitions/code', type: 'string', maxLength: 2 },
      qty: { $ref: '#/definitions/count', type: 'number', maximum: 50 },
      free: { $ref: '#/definitions/anything' },
      never: { $ref: '#/definitions/nothing' },
    },
  },
  columns: {
    id: { valid: code, noisy: (g) => g.pick([mutate(g, code(g)), code(g).toLowerCase(), `${code(g)}\n`]) },
    price: amount,
    same: { ...amount, nulls: 0.3 },
    currency: { valid: (g) => g.pick(CODES), noisy: (g) => mutate(g, g.pick(CODES)) },
    short: { valid: (g) => g.pick(['GB', '€']), noisy: (g) => g.pick([...CODES, 'G', 'GBP']) },
    qty: {
      valid: (g) => g.int(1, 50),
      noisy: (g) => g.pick([0, 1, 50, 51, 2.5, '7', 7n, 51n, nearNumber(g, 50)]),
      typed: { array: 'bigint64', value: (g) => BigInt(g.int(0, 52)) },
    },
    free: { valid: (g) => g.pick(WRONG_TYPES), noisy: (g) => g.pick(WRONG_TYPES) },
    never: { valid: () => undefined, noisy: (g) => g.pick(WRONG_TYPES), nulls: 0.9 },
  },
  rows: 20_000,
  mode: 'columnar',
  keywords: [
    'required',
    'additionalProperties',
    'type',
    'pattern',
    'minimum',
    'maximum',
    'enum',
    'maxLength',
    'false schema',
  ],
}

const DIR = 'file:///srv/ferry/datasets/payments'

/** The loader's output for a schema.json beside common.json and fee.json: every `$id` a file URL. */
const PAYMENT_REFS = {
  [`${DIR}/common.json`]: {
    $id: `${DIR}/common.json`,
    $defs: {
      uuid: { type: 'string', format: 'uuid' },
      // resolved inside common.json, not in the schema that refers to `money`
      money: { $ref: '#/$defs/decimal' },
      decimal: { type: 'number', multipleOf: 0.01, maximum: 1_000_000 },
      currency: { type: 'string', pattern: '^[A-Z]{3}$' },
      instant: { type: 'string', format: 'date-time' },
    },
  },
  // no `$id`: known by its URI alone, and its `#` is still fee.json
  [`${DIR}/fee.json`]: {
    $ref: '#/$defs/fee',
    $defs: { fee: { type: ['number', 'null'], minimum: 0, maximum: 100 } },
  },
}

/** 2020-12 spelling; the differential test also runs it as 2019-09. */
export const siblingFilesCase: DifferentialCase = {
  name: '$ref into $defs and sibling files, unevaluatedProperties',
  schema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `${DIR}/schema.json`,
    type: 'object',
    required: ['payment_id', 'amount', 'paid_at'],
    unevaluatedProperties: false,
    $defs: { status: { enum: ['paid', 'refunded'] }, fee: { type: 'string' } },
    properties: {
      payment_id: { $ref: './common.json#/$defs/uuid' },
      amount: { $ref: 'common.json#/$defs/money', type: 'number', exclusiveMinimum: 0 },
      currency: { $ref: `${DIR}/common.json#/$defs/currency` },
      paid_at: { $ref: './common.json#/$defs/instant' },
      status: { $ref: '#/$defs/status' },
      fee: { $ref: './fee.json' },
    },
  },
  refs: PAYMENT_REFS,
  columns: {
    payment_id: { valid: validUuid, noisy: uuidText },
    amount: {
      valid: (g) => g.int(1, 999_999),
      noisy: (g) => g.pick([Math.round(g.float(-100, 100)) / 100, 0, -0, 1e6, 1e6 + 0.01, 0.07, 1e-9, 10n ** 20n]),
    },
    currency: { valid: (g) => g.text(3, UPPER), noisy: (g) => mutate(g, g.text(3, UPPER)) },
    paid_at: {
      valid: (g) => (g.chance(0.5) ? validDateTimeText(g) : validInstant(g)),
      noisy: (g) => (g.chance(0.5) ? dateTimeText(g) : instant(g)),
    },
    status: { valid: (g) => g.pick(['paid', 'refunded']), noisy: (g) => g.pick(['Paid', 'void', '', 1]) },
    fee: { valid: (g) => g.float(0, 100), noisy: (g) => nearNumber(g, g.pick([0, 100])), nulls: 0.3 },
  },
  rows: 20_000,
  mode: 'columnar',
  keywords: [
    'required',
    'unevaluatedProperties',
    'type',
    'format',
    'multipleOf',
    'exclusiveMinimum',
    'maximum',
    'minimum',
    'pattern',
    'enum',
  ],
}

const refFallback = (
  name: string,
  schema: DifferentialCase['schema'],
  columns: Record<string, ColumnSpec>,
  keywords: string[],
  reason: string,
): DifferentialCase => ({
  name: `fallback: ${name}`,
  schema,
  columns,
  rows: 3_000,
  mode: 'ajv-fallback',
  keywords,
  reason,
})

const text = (g: Gen): string => unicodeText(g, g.int(0, 4))

export const REF_FALLBACK_CASES: DifferentialCase[] = [
  refFallback(
    '$ref to a nested object',
    {
      type: 'object',
      definitions: { address: { type: 'object', required: ['zip'], properties: { zip: { type: 'string' } } } },
      properties: { address: { $ref: '#/definitions/address' }, name: { type: 'string' } },
    },
    {
      address: { valid: (g) => ({ zip: text(g) }), noisy: (g) => g.pick([{}, { zip: 1 }, ...WRONG_TYPES]) },
      name: { valid: text, noisy: (g) => g.pick(WRONG_TYPES) },
    },
    ['required', 'type'],
    'property "address" ($ref "#/definitions/address") uses keyword',
  ),
  refFallback(
    'a keyword both beside a $ref and in its target',
    {
      $schema: 'https://json-schema.org/draft/2019-09/schema',
      type: 'object',
      $defs: { code: { type: 'string', maxLength: 3 } },
      properties: { code: { $ref: '#/$defs/code', type: 'string', maxLength: 2 } },
    },
    { code: { valid: (g) => unicodeText(g, 2), noisy: (g) => unicodeText(g, g.int(2, 4)) } },
    ['maxLength', 'type'],
    'gives "maxLength" different values',
  ),
  refFallback(
    '$ref to a bundled schema by its own $id',
    {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      $id: `${DIR}/bundle.json`,
      type: 'object',
      $defs: { code: { $id: 'code.json', type: 'string', maxLength: 3 } },
      properties: { code: { $ref: 'code.json' } },
    },
    { code: { valid: (g) => unicodeText(g, 3), noisy: (g) => unicodeText(g, g.int(3, 5)) } },
    ['maxLength', 'type'],
    'property "code" ($ref "code.json") leads where the columnar validator does not follow',
  ),
]
