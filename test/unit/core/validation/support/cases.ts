/**
 * The schemas the differential test runs, each with generators per column. Together they use every
 * keyword the columnar validator compiles, in the value representations a decoder hands over
 * (strings, numbers, BigInts, Dates, bytes, typed arrays, nested values), `$ref`s, and a set of
 * schemas that must fall back to ajv; each in every draft it can be written in.
 */
import ordersSchema from '../../../../../examples/project/datasets/orders/schema.json' with { type: 'json' }
import type { JsonSchema } from '../../../../../src/core/dataset.js'
import type { SchemaRefs } from '../../../../../src/core/validation/refs.js'
import { FALLBACK_CASES } from './fallback-cases.js'
import { definitionsCase, REF_FALLBACK_CASES, siblingFilesCase } from './ref-cases.js'
import {
  BIGINT_EDGES,
  DIGITS,
  dateText,
  dateTimeText,
  emailText,
  type Gen,
  instant,
  LETTERS,
  MIXED_TEXT,
  mutate,
  NUMBER_EDGES,
  nearNumber,
  UNICODE,
  unicodeText,
  uuidText,
  validDateTimeText,
  validEmail,
  validInstant,
  validUuid,
  WRONG_TYPES,
} from './values.js'

export interface ColumnSpec {
  /** a value the column's rules accept */
  valid: (g: Gen) => unknown
  /** a value that is often wrong: near misses, edge cases, other representations */
  noisy: (g: Gen) => unknown
  /** share of rows holding null or undefined when the column is optional; default 0.05 */
  nulls?: number
  /** sometimes store the column as this typed array (noisy throughout, never null) */
  typed?: { array: 'float64' | 'bigint64'; value: (g: Gen) => number | bigint }
}

export interface DifferentialCase {
  name: string
  schema: JsonSchema
  /** documents the schema's `$ref`s reach, by URI */
  refs?: SchemaRefs
  columns: Record<string, ColumnSpec>
  rows: number
  mode: 'columnar' | 'ajv-fallback'
  /** part of the fallback's reason, when the case is about one */
  reason?: string
  /** error keywords the rows must provoke, so a generator that stops producing a defect is noticed */
  keywords: string[]
}

const CURRENCIES = ['EUR', 'USD', 'GBP', 'JPY', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CAD', 'AUD']

const orderId = (g: Gen): string => `ORD-${g.text(8, DIGITS)}`

const withLength = (g: Gen, around: number): string => unicodeText(g, Math.max(0, around + g.int(-3, 3)))

const orderColumns = (
  timestamps: Pick<ColumnSpec, 'valid' | 'noisy'>,
  quantity: ColumnSpec,
): Record<string, ColumnSpec> => ({
  order_id: {
    valid: orderId,
    noisy: (g) =>
      g.pick([
        mutate(g, orderId(g)),
        `${orderId(g)}\n`,
        `ord-${g.text(8, DIGITS)}`,
        `ORD-${g.text(8, ['١', '１', '0'])}`,
        `ORD-${g.text(g.int(7, 9), DIGITS)}`,
      ]),
  },
  customer_id: { valid: (g) => unicodeText(g, g.int(1, 20)), noisy: (g) => withLength(g, g.pick([0, 1, 64])) },
  ordered_at: timestamps,
  shipped_at: { ...timestamps, nulls: 0.4 },
  amount: {
    valid: (g) => Math.round(g.float(0, 5000) * 100) / 100,
    noisy: (g) => (g.chance(0.7) ? nearNumber(g, g.pick([0, 1_000_000])) : g.pick([...NUMBER_EDGES, ...BIGINT_EDGES])),
    typed: { array: 'float64', value: (g) => (g.chance(0.97) ? g.float(0, 2000) : g.pick(NUMBER_EDGES)) },
  },
  currency: { valid: (g) => g.pick(CURRENCIES), noisy: (g) => mutate(g, g.pick(CURRENCIES)) },
  country: { valid: (g) => g.text(2, LETTERS), noisy: (g) => g.text(g.int(1, 3), [...LETTERS, ...UNICODE]) },
  quantity,
  note: { valid: (g) => unicodeText(g, g.int(0, 40)), noisy: (g) => withLength(g, 500), nulls: 0.5 },
})

const ordersAsStrings: DifferentialCase = {
  name: 'orders (rows as the reader decodes them today)',
  schema: ordersSchema,
  columns: orderColumns(
    { valid: validDateTimeText, noisy: dateTimeText },
    { valid: (g) => g.int(1, 10_000), noisy: (g) => nearNumber(g, g.pick([1, 10_000])) },
  ),
  rows: 30_000,
  mode: 'columnar',
  keywords: [
    'required',
    'type',
    'pattern',
    'minLength',
    'maxLength',
    'format',
    'minimum',
    'maximum',
    'enum',
    'additionalProperties',
  ],
}

const ordersAsDecoded: DifferentialCase = {
  name: 'orders (Date timestamps, BigInt quantities, typed arrays)',
  schema: ordersSchema,
  columns: orderColumns(
    { valid: validInstant, noisy: (g) => (g.chance(0.7) ? instant(g) : dateTimeText(g)) },
    {
      valid: (g) => BigInt(g.int(1, 10_000)),
      noisy: (g) => (g.chance(0.5) ? BigInt(g.pick([0, 1, 10_000, 10_001])) : g.pick(BIGINT_EDGES)),
      typed: { array: 'bigint64', value: (g) => (g.chance(0.97) ? BigInt(g.int(1, 10_000)) : g.pick(BIGINT_EDGES)) },
    },
  ),
  rows: 30_000,
  mode: 'columnar',
  keywords: ['required', 'type', 'pattern', 'format', 'minimum', 'maximum', 'enum', 'additionalProperties'],
}

/** Mostly near the limits, otherwise edge numbers, BigInts, or anything between low and high. */
const numberNear =
  (limits: number[], low: number, high: number) =>
  (g: Gen): unknown => {
    if (g.chance(0.4)) return nearNumber(g, g.pick(limits))
    if (g.chance(0.2)) return g.pick(NUMBER_EDGES)
    if (g.chance(0.15)) return g.pick(BIGINT_EDGES)
    if (g.chance(0.1)) return BigInt(Math.round(g.float(low, high)))
    return g.chance(0.5) ? Math.round(g.float(low, high)) : g.float(low, high)
  }

const numbers: DifferentialCase = {
  name: 'numeric keywords',
  schema: {
    type: 'object',
    required: ['num', 'int', 'flag'],
    additionalProperties: false,
    properties: {
      num: { type: 'number', minimum: -10.5, maximum: 1_000_000 },
      excl: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1 },
      int: { type: 'integer', minimum: -9_007_199_254_740_991, maximum: 9_007_199_254_740_991 },
      wide: { type: 'integer', minimum: -1e20, maximum: 1e20 },
      cents: { type: 'number', multipleOf: 0.01 },
      third: { type: 'integer', multipleOf: 3, exclusiveMaximum: 3e21 },
      flag: { type: 'boolean' },
      either: { type: ['integer', 'string'], minimum: 0, maxLength: 3 },
      opt: { type: ['number', 'null'], maximum: 0 },
      pick: { enum: [1, 2.5, 'x', true, null, [1, 2], { a: 1 }] },
      zero: { const: 0 },
      shape: { const: { a: [1, 'b'] } },
    },
  },
  columns: {
    num: {
      valid: (g) => g.float(-10.5, 1e6),
      noisy: numberNear([-10.5, 1_000_000], -20, 2e6),
      typed: { array: 'float64', value: (g) => g.float(-10.6, 1e6) },
    },
    excl: { valid: (g) => g.float(0.001, 0.999), noisy: numberNear([0, 1], -0.5, 1.5), nulls: 0.2 },
    int: { valid: (g) => g.int(-1e6, 1e6), noisy: numberNear([-(2 ** 53 - 1), 2 ** 53 - 1], -1e16, 1e16) },
    wide: {
      valid: (g) => (g.chance(0.5) ? g.int(-1e9, 1e9) : BigInt(g.int(-1e9, 1e9))),
      noisy: (g) => (g.chance(0.6) ? g.pick(BIGINT_EDGES) : numberNear([-1e20, 1e20], -1e21, 1e21)(g)),
    },
    cents: {
      valid: (g) => g.int(-100, 100),
      noisy: (g) => (g.chance(0.6) ? Math.round(g.float(-1e4, 1e4)) / 100 : numberNear([0.07, 1e19, 1e21], 0, 100)(g)),
    },
    third: { valid: (g) => 3 * g.int(-1000, 1000), noisy: numberNear([3, 9e15, 3e21, 1e21], -30, 30) },
    flag: { valid: (g) => g.chance(0.5), noisy: (g) => g.pick([0, 1, 'true', 0n]) },
    either: {
      valid: (g) => (g.chance(0.5) ? unicodeText(g, g.int(0, 3)) : g.int(0, 100)),
      noisy: (g) => (g.chance(0.5) ? unicodeText(g, g.int(0, 5)) : numberNear([0], -5, 5)(g)),
      nulls: 0.2,
    },
    opt: { valid: (g) => -g.float(0, 5), noisy: numberNear([0], -2, 2), nulls: 0.3 },
    pick: {
      valid: (g) => g.pick([1, 1n, 2.5, 'x', true, [1, 2], new Float64Array([1, 2]), { a: 1 }]),
      noisy: (g) => g.pick([2.50000001, 'X', false, [2, 1], [1, 2, 3], new Int32Array([1]), { a: '1' }, { a: 1n }]),
    },
    zero: { valid: (g) => g.pick([0, -0, 0n]), noisy: (g) => g.pick(['0', false, 1e-300, -1e-300, []]) },
    shape: {
      valid: (g) => g.pick([{ a: [1, 'b'] }, { a: [1n, 'b'] }]),
      noisy: (g) => g.pick([{ a: [1, 'b'], c: undefined }, { a: ['b', 1] }, [], { a: [1, 'b', null] }]),
    },
  },
  rows: 30_000,
  mode: 'columnar',
  keywords: [
    'type',
    'minimum',
    'maximum',
    'exclusiveMinimum',
    'exclusiveMaximum',
    'multipleOf',
    'maxLength',
    'enum',
    'const',
    'additionalProperties',
    'required',
  ],
}

const strings: DifferentialCase = {
  name: 'string keywords and formats',
  schema: {
    type: 'object',
    required: ['short', 'stamp'],
    additionalProperties: true,
    properties: {
      short: { type: 'string', minLength: 2, maxLength: 5 },
      upper: { type: 'string', pattern: '^\\p{Lu}\\p{Ll}*$' },
      dotted: { type: 'string', pattern: '^a.c$' },
      day: { type: 'string', format: 'date' },
      stamp: { type: 'string', format: 'date-time' },
      mail: { type: 'string', format: 'email' },
      id: { type: ['string', 'null'], format: 'uuid' },
      code: { type: 'string', enum: ['EUR', 'USD', '', 'é', 'e\u0301'] },
      yes: { type: 'string', const: 'yes' },
      free: {},
      mixed: { type: ['string', 'number'], minLength: 1, maxLength: 30, maximum: 10, format: 'date-time' },
      blob: { type: 'string', maxLength: 8 },
    },
  },
  columns: {
    short: { valid: (g) => g.text(g.int(2, 5), MIXED_TEXT.slice(0, 60)), noisy: (g) => unicodeText(g, g.int(0, 7)) },
    upper: {
      valid: (g) => g.pick(['É', 'Ab', 'Ça', 'Σσ']),
      noisy: (g) => g.pick(['É', 'Ab', 'AB', 'a', '', 'Ça', 'Σσ']) + unicodeText(g, g.int(0, 2)),
    },
    dotted: {
      valid: (g) => `a${g.pick(['b', '😀', '\ud83d', 'é'])}c`,
      noisy: (g) => `a${g.pick([...MIXED_TEXT, '😀', '\ud83d', '\n', 'bb', ''])}c`,
    },
    day: { valid: () => '2024-02-29', noisy: dateText },
    stamp: { valid: validDateTimeText, noisy: dateTimeText },
    mail: { valid: validEmail, noisy: emailText },
    id: { valid: validUuid, noisy: uuidText, nulls: 0.2 },
    code: { valid: (g) => g.pick(['EUR', 'USD', '', 'é', 'e\u0301']), noisy: (g) => g.pick(['eur', 'E', 'EUR ', 'ê']) },
    yes: { valid: () => 'yes', noisy: (g) => g.pick(['Yes', 'yes ', 'no']) },
    free: { valid: (g) => g.pick(WRONG_TYPES), noisy: (g) => g.pick(WRONG_TYPES) },
    mixed: {
      valid: (g) => (g.chance(0.5) ? validDateTimeText(g) : g.int(0, 10)),
      noisy: (g) => (g.chance(0.5) ? dateTimeText(g) : numberNear([10], 0, 20)(g)),
    },
    blob: {
      valid: (g) => new Uint8Array(Array.from({ length: g.int(0, 6) }, () => g.int(0, 255))),
      noisy: (g) => new Uint8Array(Array.from({ length: g.int(6, 9) }, () => g.int(0, 255))),
    },
  },
  rows: 30_000,
  mode: 'columnar',
  keywords: ['type', 'minLength', 'maxLength', 'pattern', 'format', 'enum', 'const', 'maximum', 'required'],
}

const dates: DifferentialCase = {
  name: 'Date values under string keywords',
  schema: {
    type: 'object',
    required: ['at'],
    properties: {
      at: { type: 'string', format: 'date-time' },
      maybe: { type: ['string', 'null'], format: 'date-time' },
      day: { type: 'string', format: 'date' },
      short: { type: 'string', maxLength: 24 },
      modern: { type: 'string', pattern: '^(19|20)' },
      epoch: { type: 'string', enum: ['1970-01-01T00:00:00.000Z'] },
      checked: { type: 'string', format: 'date-time', minLength: 24 },
      count: { type: 'number' },
    },
  },
  columns: {
    at: { valid: validInstant, noisy: instant },
    maybe: { valid: validInstant, noisy: instant, nulls: 0.3 },
    day: { valid: () => '2024-02-29', noisy: instant },
    short: { valid: validInstant, noisy: instant },
    modern: { valid: (g) => new Date(g.float(-2e12, 4e12)), noisy: instant },
    epoch: { valid: () => new Date(0), noisy: instant },
    checked: { valid: validInstant, noisy: instant },
    count: { valid: (g) => g.float(-1, 1), noisy: instant },
  },
  rows: 20_000,
  mode: 'columnar',
  keywords: ['type', 'format', 'maxLength', 'minLength', 'pattern', 'enum', 'required'],
}

const bare: DifferentialCase = {
  name: 'boolean subschemas, null, array and object types',
  schema: {
    type: 'object',
    required: ['t', 'any'],
    properties: {
      t: true,
      f: false,
      n: { type: 'null' },
      any: {},
      b: { type: 'boolean', const: true },
      list: { type: 'array' },
      record: { type: 'object' },
      either: { type: ['array', 'boolean'], enum: [[], [1], false] },
    },
  },
  columns: {
    t: { valid: (g) => g.pick(WRONG_TYPES), noisy: (g) => g.pick(WRONG_TYPES) },
    f: { valid: () => null, noisy: (g) => g.pick(WRONG_TYPES) },
    n: { valid: () => undefined, noisy: (g) => g.pick(WRONG_TYPES) },
    any: { valid: (g) => g.pick(WRONG_TYPES), noisy: (g) => g.pick(WRONG_TYPES) },
    b: { valid: () => true, noisy: (g) => g.pick([false, 1, 'true']) },
    list: { valid: (g) => g.pick([[], [1, 'a'], new Float64Array([1])]), noisy: (g) => g.pick(WRONG_TYPES) },
    record: { valid: (g) => g.pick([{}, { a: 1 }, { nested: { b: 2n } }]), noisy: (g) => g.pick(WRONG_TYPES) },
    either: {
      valid: (g) => g.pick([[], [1], new Float64Array([1]), new BigInt64Array([1n]), false]),
      noisy: (g) => g.pick([true, [2], [1, 1], {}]),
    },
  },
  rows: 10_000,
  mode: 'columnar',
  keywords: ['false schema', 'type', 'const', 'enum', 'required'],
}

const LATER_DRAFTS = {
  '2019-09': 'https://json-schema.org/draft/2019-09/schema',
  '2020-12': 'https://json-schema.org/draft/2020-12/schema',
}

/** The same properties under another `$schema`: their verdicts must not depend on the draft. */
const inDraft = (testCase: DifferentialCase, draft: keyof typeof LATER_DRAFTS): DifferentialCase => ({
  ...testCase,
  name: `${testCase.name} [${draft}]`,
  schema: { ...testCase.schema, $schema: LATER_DRAFTS[draft] },
})

/** Written for draft-07, which later drafts read alike. */
const DRAFT_07_CASES = [
  ordersAsStrings,
  ordersAsDecoded,
  numbers,
  strings,
  dates,
  bare,
  ...FALLBACK_CASES,
  definitionsCase,
]

export const CASES: readonly DifferentialCase[] = [
  ...DRAFT_07_CASES,
  ...DRAFT_07_CASES.flatMap((testCase) => [inDraft(testCase, '2019-09'), inDraft(testCase, '2020-12')]),
  siblingFilesCase,
  inDraft(siblingFilesCase, '2019-09'),
  ...REF_FALLBACK_CASES,
]
