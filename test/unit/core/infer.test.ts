import { readFileSync } from 'node:fs'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { describe, expect, it } from 'vitest'
import { checksProblems } from '../../../src/core/checks/config.js'
import { schemaDrift, sourceColumnsOf } from '../../../src/core/checks/drift.js'
import type { OutputColumn, Row } from '../../../src/core/formats/columns.js'
import { type ReadOptions, readRecords } from '../../../src/core/formats/detect.js'
import { parquetMetadata, readParquetRows, writeParquet } from '../../../src/core/formats/parquet.js'
import { type InferInput, type InferredDataset, inferDataset } from '../../../src/core/infer.js'
import { castValue } from '../../../src/core/transform-cast.js'
import { compileColumnarValidator } from '../../../src/core/validation/columnar.js'

const DIALECT = 'https://json-schema.org/draft/2020-12/schema'

async function read(key: string, bytes: Uint8Array, options?: ReadOptions) {
  const rows: Row[] = []
  let header: readonly string[] | undefined
  for await (const batch of readRecords(key, bytes, options)) {
    expect(batch.rowErrors).toBeUndefined()
    rows.push(...batch.rows)
    header ??= batch.header
  }
  return { rows, header }
}

/** Every row the schema rejects, with ajv's reasons: the inferred schema must accept the whole sample. */
function rejected(schema: Record<string, unknown>, rows: readonly Row[]) {
  // the options Ferry's own validator uses (src/core/validate.ts), on the 2020-12 dialect
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true })
  addFormats.default(ajv)
  const validate = ajv.compile(schema)
  return rows.flatMap((row) => (validate(row) ? [] : [{ row, errors: validate.errors }]))
}

/** The rows as the engine writes them: cast where the draft says so, then Parquet, then read back. */
async function writeAndReadBack(draft: InferredDataset, rows: readonly Row[]): Promise<Row[]> {
  const cast = rows.map((row) => {
    const out = { ...row }
    for (const { column, to } of draft.casts) out[column] = castValue(row[column], to)
    return out
  })
  return (await readParquetRows(writeParquet(draft.outputColumns, cast))).rows
}

const encode = (text: string) => new TextEncoder().encode(text)

/** CSV: infer from the untyped read, then read again typed by the draft, as the engine will. */
async function inferCsv(text: string, options?: { maxEnumValues?: number }) {
  const bytes = encode(text)
  const { rows, header } = await read('sample.csv', bytes)
  const draft = inferDataset({ format: 'csv', columns: header ?? [], rows }, options)
  const typed = (await read('sample.csv', bytes, { schema: draft.schema })).rows
  return { draft, rows, typed }
}

function csv(header: string[], rows: string[][]): string {
  return [header, ...rows].map((fields) => fields.join(',')).join('\n')
}

const STATUSES = ['new', 'paid', 'shipped', 'cancelled']

/** 24 rows covering each kind of CSV column inference has to tell apart. */
function ordersCsv(): string {
  const header = [
    'customer_id',
    'id',
    'zip',
    'amount',
    'qty',
    'active',
    'email',
    'uuid',
    'day',
    'created_at',
    'updated_at',
    'status',
    'name',
    'empty',
    'big',
  ]
  const rows = Array.from({ length: 24 }, (_, i) => [
    `C${1000 + i}`,
    String(i + 1),
    String(i * 7).padStart(3, '0'),
    i === 3 ? '' : i % 2 === 0 ? `${i}.50` : String(i),
    i === 5 ? 'NULL' : String(i * 3),
    ['true', 'FALSE', 'True'][i % 3]!,
    `user${i}@example.com`,
    `0b7e4c1a-3f1d-4c2e-9a6b-${String(i).padStart(12, '0')}`,
    `2026-01-${String(i + 1).padStart(2, '0')}`,
    `2026-01-02T03:04:05.${String(123456 + i)}Z`,
    `2026-01-02T03:04:${String(i).padStart(2, '0')}.123+02:00`,
    STATUSES[i % 4]!,
    `Name ${i}`,
    '',
    `1234567890123456${7000 + i}`,
  ])
  return csv(header, rows)
}

/** The sample CSV's columns without an empty cell: required, and checked for nulls. */
const CSV_REQUIRED = [
  'customer_id',
  'id',
  'zip',
  'active',
  'email',
  'uuid',
  'day',
  'created_at',
  'updated_at',
  'status',
  'name',
  'big',
]

describe('inferDataset on CSV', () => {
  it('types each column so the typed read keeps every value as written', async () => {
    const { draft, typed } = await inferCsv(ordersCsv())
    expect(draft.schema).toEqual({
      $schema: DIALECT,
      type: 'object',
      properties: {
        customer_id: { type: 'string' },
        id: { type: 'integer' },
        zip: { type: 'string' },
        amount: { type: ['number', 'null'] },
        qty: { type: ['integer', 'null'] },
        active: { type: 'boolean' },
        email: { type: 'string', format: 'email' },
        uuid: { type: 'string', format: 'uuid' },
        day: { type: 'string', format: 'date' },
        created_at: { type: 'string', format: 'date-time' },
        updated_at: { type: 'string', format: 'date-time' },
        status: { type: 'string', enum: ['cancelled', 'new', 'paid', 'shipped'] },
        name: { type: 'string' },
        empty: { type: ['string', 'null'] },
        big: { type: 'string' },
      },
      required: CSV_REQUIRED,
      additionalProperties: false,
    })
    expect(typed[1]).toMatchObject({ id: 2, zip: '007', amount: 1, qty: 3, active: false, big: '12345678901234567001' })
    expect(typed[0]).toMatchObject({ amount: 0.5, active: true })
    expect(typed[3]).not.toHaveProperty('amount')
    expect(typed[5]).not.toHaveProperty('qty')
    expect(rejected(draft.schema, typed)).toEqual([])
  })

  it('maps the types to output columns, with microseconds only where the sample has them', async () => {
    const { draft, typed } = await inferCsv(ordersCsv())
    expect(draft.outputColumns).toEqual([
      { name: 'customer_id', type: 'string', nullable: false },
      { name: 'id', type: 'int64', nullable: false },
      { name: 'zip', type: 'string', nullable: false },
      { name: 'amount', type: 'double', nullable: true },
      { name: 'qty', type: 'int64', nullable: true },
      { name: 'active', type: 'boolean', nullable: false },
      { name: 'email', type: 'string', nullable: false },
      { name: 'uuid', type: 'string', nullable: false },
      { name: 'day', type: 'date', nullable: false },
      { name: 'created_at', type: 'timestamp', unit: 'us', nullable: false },
      { name: 'updated_at', type: 'timestamp', unit: 'ms', nullable: false },
      { name: 'status', type: 'string', nullable: false },
      { name: 'name', type: 'string', nullable: false },
      { name: 'empty', type: 'string', nullable: true },
      { name: 'big', type: 'string', nullable: false },
    ])
    expect(draft.casts).toEqual([])
    const written = await writeAndReadBack(draft, typed)
    expect(written[0]).toMatchObject({ created_at: '2026-01-02T03:04:05.123456Z', day: '2026-01-01', zip: '000' })
    expect(written[1]).toMatchObject({ updated_at: '2026-01-02T01:04:01.123Z' })
  })

  it('prefers id as the key, checks required columns for nulls, and dates by the first date-time', async () => {
    const { draft } = await inferCsv(ordersCsv())
    expect(draft.eventTimeField).toBe('created_at')
    expect(draft.checks).toEqual({
      nullRate: CSV_REQUIRED.map((column) => ({ column, max: 0 })),
      duplicates: [{ columns: ['id'] }],
    })
    expect(checksProblems(draft.checks, draft.outputColumns)).toEqual([])
  })

  it('explains its decisions in notes', async () => {
    const { draft } = await inferCsv(ordersCsv())
    expect(draft.notes).toEqual([
      'id: integer, bounds left open',
      'zip: kept as text: "000" would not read back as the same number',
      'amount: number, bounds left open',
      'qty: integer, bounds left open',
      'created_at: timestamp with microseconds',
      'status: enum of 4 values',
      'empty: no values in the sample: typed as a nullable string',
      'big: kept as text: "12345678901234567000" would not read back as the same number',
      'id: looks like a key (unique in 24 rows): duplicates check',
      'created_at: event time (the first date-time column)',
    ])
  })

  it('falls back to the first *_id column when there is no id, and to none when keys repeat or miss', async () => {
    const rows = (ids: string[]) => ids.map((id, i) => [id, `${i}`, `x${i}`])
    const header = ['name', 'order_id', 'paid']
    expect((await inferCsv(csv(header, rows(['a', 'b', 'c'])))).draft.checks.duplicates).toEqual([
      { columns: ['order_id'] },
    ])
    const repeated = csv(
      ['order_id', 'userUuid'],
      [
        ['1', 'u1'],
        ['1', 'u2'],
      ],
    )
    expect((await inferCsv(repeated)).draft.checks.duplicates).toEqual([{ columns: ['userUuid'] }])
    const missing = csv(
      ['order_id', 'paid'],
      [
        ['1', 'x'],
        ['', 'y'],
      ],
    )
    const { draft } = await inferCsv(missing)
    expect(draft.checks.duplicates).toBeUndefined()
    expect(draft.notes).toContain(
      'no column looks like a key (id, *_id, *Id, *_key, *uuid, all present and distinct): no duplicates check',
    )
  })

  it('reads `null` text as null only in a typed column, as the reader converts it', async () => {
    const { draft, typed } = await inferCsv(
      csv(
        ['n', 'flag', 'word'],
        [
          ['1', 'true', 'null'],
          ['null', 'NULL', 'x'],
        ],
      ),
    )
    expect(draft.schema.properties).toEqual({
      n: { type: ['integer', 'null'] },
      flag: { type: ['boolean', 'null'] },
      word: { type: 'string' },
    })
    expect(typed).toEqual([{ n: 1, flag: true, word: 'null' }, { word: 'x' }])
    expect(rejected(draft.schema, typed)).toEqual([])
  })

  it('keeps text the converter would change: padding, leading zeros, -0, unsafe integers, long decimals', async () => {
    const cases = [' 5', ' 1.5', '05', '-0', '9007199254740993', '0.1234567890123456789', '1e999', ' true']
    for (const text of cases) {
      const { draft, typed } = await inferCsv(
        csv(
          ['v', 'w'],
          [
            [`"${text}"`, '1'],
            ['2', '1.5'],
          ],
        ),
      )
      expect(draft.schema.properties, text).toEqual({ v: { type: 'string' }, w: { type: 'number' } })
      expect(typed[0]?.v, text).toBe(text)
    }
  })

  it('takes numbers in any spelling that means the same value, mixing integers into number', async () => {
    const { draft, typed } = await inferCsv(
      csv(['v'], [['1'], ['12.50'], ['-3e2'], ['.5'], ['0.25'], ['9007199254740991']]),
    )
    expect(draft.schema.properties).toEqual({ v: { type: 'number' } })
    expect(typed.map((row) => row.v)).toEqual([1, 12.5, -300, 0.5, 0.25, 9007199254740991])
  })

  it('reads booleans in the spellings the converter accepts, and nothing else', async () => {
    const yes = await inferCsv(csv(['b'], [['TRUE'], ['false'], ['True']]))
    expect(yes.draft.outputColumns).toEqual([{ name: 'b', type: 'boolean', nullable: false }])
    expect(yes.typed).toEqual([{ b: true }, { b: false }, { b: true }])
    const no = await inferCsv(csv(['b'], [['yes'], ['no'], ['true']]))
    expect(no.draft.schema.properties).toEqual({ b: { type: 'string' } })
    const mixed = await inferCsv(csv(['b'], [['1'], ['true']]))
    expect(mixed.draft.schema.properties).toEqual({ b: { type: 'string' } })
  })

  it('gives a sample without rows nullable text columns and no checks', () => {
    // a CSV of only a header reads as no batches: the CLI takes the header from readCsvHeader
    const draft = inferDataset({ format: 'csv', columns: ['a', 'b'], rows: [] })
    expect(draft.schema).toMatchObject({
      properties: { a: { type: ['string', 'null'] }, b: { type: ['string', 'null'] } },
      required: [],
    })
    expect(draft.checks).toEqual({})
    expect(draft.eventTimeField).toBeUndefined()
    expect(draft.notes).toContain('no date-time column: no event time')
  })
})

describe('enum decisions', () => {
  const column = (values: string[]) =>
    csv(
      ['status'],
      values.map((value) => [value]),
    )
  const repeat = (values: string[], times: number) => Array.from({ length: times }, () => values).flat()

  it('needs at least 20 values, each distinct one seen twice', async () => {
    const nineteen = await inferCsv(column(repeat(['a', 'b'], 10).slice(0, 19)))
    expect(nineteen.draft.schema.properties).toEqual({ status: { type: 'string' } })
    const twenty = await inferCsv(column(repeat(['b', 'a'], 10)))
    expect(twenty.draft.schema.properties).toEqual({ status: { type: 'string', enum: ['a', 'b'] } })
    const once = await inferCsv(column([...repeat(['a', 'b'], 10), 'c']))
    expect(once.draft.schema.properties).toEqual({ status: { type: 'string' } })
  })

  it('lists at most maxEnumValues values (12 by default)', async () => {
    const letters = 'abcdefghijklm'.split('')
    const thirteen = column(repeat(letters, 2))
    expect((await inferCsv(thirteen)).draft.schema.properties).toEqual({ status: { type: 'string' } })
    const wide = await inferCsv(thirteen, { maxEnumValues: 13 })
    expect(wide.draft.schema.properties).toEqual({ status: { type: 'string', enum: letters } })
    expect(rejected(wide.draft.schema, wide.typed)).toEqual([])
  })

  it('lists null in a nullable column, so the rows without a value still pass', async () => {
    // two columns, as a record of one empty field is a blank line, which the reader skips
    const rows = [...repeat(['on', 'off'], 10), ''].map((status, i) => [status, String(i)])
    const { draft, typed } = await inferCsv(csv(['status', 'n'], rows))
    expect(draft.schema.properties).toEqual({
      status: { type: ['string', 'null'], enum: ['off', 'on', null] },
      n: { type: 'integer' },
    })
    expect(rejected(draft.schema, typed)).toEqual([])
    expect(rejected(draft.schema, [{ status: 'other' }])).toHaveLength(1)
  })

  it('never makes an enum of formatted, key-named or non-text columns', async () => {
    const values = repeat(['2026-01-01', '2026-01-02'], 10)
    const rows = values.map((day, i) => [day, `${i % 2}`, `k${i % 3}`])
    const { draft } = await inferCsv(csv(['day', 'n', 'region_id'], rows))
    expect(draft.schema.properties).toEqual({
      day: { type: 'string', format: 'date' },
      n: { type: 'integer' },
      region_id: { type: 'string' },
    })
  })
})

/** NDJSON columns in first-seen key order, as the CLI derives them. */
function firstSeen(rows: readonly Row[]): string[] {
  return [...new Set(rows.flatMap((row) => Object.keys(row)))]
}

async function inferNdjson(lines: unknown[]) {
  const bytes = encode(lines.map((line) => JSON.stringify(line)).join('\n'))
  const { rows } = await read('sample.ndjson', bytes)
  return { draft: inferDataset({ format: 'ndjson', columns: firstSeen(rows), rows }), rows }
}

describe('inferDataset on NDJSON', () => {
  const lines = [
    { orderId: 'A1', score: 1, ref: 7, at: '2026-03-01T10:00:00.000Z', ok: true, meta: { a: 1 } },
    { orderId: 'A2', score: 2.5, ref: 'R-8', at: '2026-03-01T10:00:01Z', ok: false, tags: ['x'] },
    { ref: 9, orderId: 'A3', score: 3, at: '2026-03-01T12:00:00+01:00', ok: true, late: 'x' },
  ]

  it('keeps JSON types, widening integers to numbers and naming both types of a mixed column', async () => {
    const { draft, rows } = await inferNdjson(lines)
    expect(draft.schema).toEqual({
      $schema: DIALECT,
      type: 'object',
      properties: {
        orderId: { type: 'string' },
        score: { type: 'number' },
        ref: { type: ['integer', 'string'] },
        at: { type: 'string', format: 'date-time' },
        ok: { type: 'boolean' },
        meta: {},
        tags: {},
        late: { type: ['string', 'null'] },
      },
      required: ['orderId', 'score', 'ref', 'at', 'ok'],
      additionalProperties: false,
    })
    expect(rejected(draft.schema, rows)).toEqual([])
  })

  it('leaves nested columns out of the output and casts mixed ones to text', async () => {
    const { draft, rows } = await inferNdjson(lines)
    expect(draft.outputColumns).toEqual([
      { name: 'orderId', type: 'string', nullable: false },
      { name: 'score', type: 'double', nullable: false },
      { name: 'ref', type: 'string', nullable: false },
      { name: 'at', type: 'timestamp', unit: 'ms', nullable: false },
      { name: 'ok', type: 'boolean', nullable: false },
      { name: 'late', type: 'string', nullable: true },
    ])
    expect(draft.casts).toEqual([{ column: 'ref', to: 'string' }])
    expect((await writeAndReadBack(draft, rows)).map((row) => row.ref)).toEqual(['7', 'R-8', '9'])
    expect(draft.notes).toEqual(
      expect.arrayContaining([
        'ref: values of several types (integer, string), written as string after a cast',
        'meta: nested values: accepted as they are, left out of the output columns',
        'orderId: looks like a key (unique in 3 rows): duplicates check',
        'at: event time (the first date-time column)',
      ]),
    )
    expect(draft.checks).toEqual({
      nullRate: ['orderId', 'score', 'ref', 'at', 'ok'].map((column) => ({ column, max: 0 })),
      duplicates: [{ columns: ['orderId'] }],
    })
  })

  it('adds keys the column list misses, so no sample row breaks additionalProperties', async () => {
    const { rows } = await inferNdjson(lines)
    const draft = inferDataset({ format: 'ndjson', columns: ['ok', 'orderId'], rows })
    expect(Object.keys(draft.schema.properties as object)).toEqual([
      'ok',
      'orderId',
      'score',
      'ref',
      'at',
      'meta',
      'tags',
      'late',
    ])
    expect(rejected(draft.schema, rows)).toEqual([])
  })

  it('does not take a date-time without a zone, or a mix of dates and date-times, as formatted', async () => {
    const { draft } = await inferNdjson([{ t: '2026-03-01T10:00:00', d: '2026-03-01' }, { d: '2026-03-01T10:00:00Z' }])
    expect(draft.schema.properties).toEqual({ t: { type: ['string', 'null'] }, d: { type: 'string' } })
    expect(draft.eventTimeField).toBeUndefined()
  })

  it('takes integers beyond 2^53, which JSON has already rounded, as numbers', async () => {
    const { draft } = await inferNdjson([{ n: 1 }, { n: 2 ** 60 }])
    expect(draft.schema.properties).toEqual({ n: { type: 'number' } })
    expect(draft.outputColumns).toEqual([{ name: 'n', type: 'double', nullable: false }])
  })

  it('leaves a sometimes-absent property named like an Object.prototype member without a type', async () => {
    // ajv reads `constructor` through the prototype, so a row without one holds a function to it
    const { draft, rows } = await inferNdjson([
      { constructor: 'x', toString: 'a', a: 1 },
      { toString: 'b', a: 2 },
    ])
    expect(draft.schema.properties).toEqual({ constructor: {}, toString: { type: 'string' }, a: { type: 'integer' } })
    expect(draft.outputColumns[0]).toEqual({ name: 'constructor', type: 'string', nullable: true })
    expect(rejected(draft.schema, rows)).toEqual([])
  })
})

async function inferParquet(bytes: Uint8Array) {
  const { rows } = await read('sample.parquet', bytes)
  const sourceTypes = parquetMetadata(bytes).columns
  const input: InferInput = { format: 'parquet', columns: sourceTypes.map((c) => c.name), sourceTypes, rows }
  return { draft: inferDataset(input), rows, sourceTypes }
}

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/parquet/${name}`, import.meta.url))

describe('inferDataset on Parquet', () => {
  const columns: OutputColumn[] = [
    { name: 'id', type: 'int32', nullable: false },
    { name: 'total', type: 'int64' },
    { name: 'price', type: 'double' },
    { name: 'flag', type: 'boolean' },
    { name: 'at', type: 'timestamp', unit: 'ms' },
    { name: 'at_us', type: 'timestamp', unit: 'us' },
    { name: 'day', type: 'date' },
    { name: 'label', type: 'string' },
    { name: 'nothing', type: 'int32' },
  ]
  const source = Array.from({ length: 30 }, (_, i) => ({
    id: i,
    total: i * 1_000_000_000_000,
    price: i + 1,
    flag: i % 2 === 0,
    at: `2026-05-01T00:00:${String(i).padStart(2, '0')}.000Z`,
    at_us: `2026-05-01T00:00:00.00000${i % 10}Z`,
    day: '2026-05-01',
    label: i === 7 ? null : ['red', 'green', 'blue'][i % 3],
    nothing: null,
  }))

  it('takes the footer types over what the values look like', async () => {
    const { draft, rows } = await inferParquet(writeParquet(columns, source))
    expect(draft.schema.properties).toEqual({
      id: { type: 'integer' },
      total: { type: 'integer' },
      // whole numbers, but a DOUBLE column
      price: { type: 'number' },
      flag: { type: 'boolean' },
      at: { type: 'string', format: 'date-time' },
      at_us: { type: 'string', format: 'date-time' },
      day: { type: 'string', format: 'date' },
      label: { type: ['string', 'null'], enum: ['blue', 'green', 'red', null] },
      // no values, but an INT32 column
      nothing: { type: ['integer', 'null'] },
    })
    expect(draft.schema.required).toEqual(['id', 'total', 'price', 'flag', 'at', 'at_us', 'day'])
    expect(rejected(draft.schema, rows)).toEqual([])
  })

  it('writes the source columns back with their own types and units', async () => {
    const { draft, rows } = await inferParquet(writeParquet(columns, source))
    expect(draft.outputColumns).toEqual(
      columns.map((column) => ({ ...column, nullable: column.name === 'label' || column.name === 'nothing' })),
    )
    expect(draft.eventTimeField).toBe('at')
    expect(draft.checks.duplicates).toEqual([{ columns: ['id'] }])
    expect(await writeAndReadBack(draft, rows)).toEqual(rows)
  })

  it('agrees with the schema drift check on every column', async () => {
    const { draft, sourceTypes } = await inferParquet(writeParquet(columns, source))
    expect(schemaDrift(sourceColumnsOf(sourceTypes), draft.schema)).toEqual({ added: [], removed: [], retyped: [] })
  })

  it('accepts INT64 values beyond 2^53, which the reader gives as decimal text', async () => {
    const big = [{ n: 1 }, { n: '9007199254740993' }, { n: null }]
    const { draft, rows } = await inferParquet(writeParquet([{ name: 'n', type: 'int64' }], big))
    expect(draft.schema.properties).toEqual({ n: { type: ['integer', 'string', 'null'] } })
    expect(draft.outputColumns).toEqual([{ name: 'n', type: 'int64', nullable: true }])
    expect(draft.casts).toEqual([])
    expect(rejected(draft.schema, rows)).toEqual([])
    expect(await writeAndReadBack(draft, rows)).toEqual(rows)
  })

  it('leaves a double column holding NaN without a type, which JSON Schema numbers would reject', async () => {
    const { draft, rows } = await inferParquet(writeParquet([{ name: 'x', type: 'double' }], [{ x: 1.5 }, { x: NaN }]))
    expect(draft.schema.properties).toEqual({ x: {} })
    expect(draft.outputColumns).toEqual([{ name: 'x', type: 'double', nullable: false }])
    expect(draft.notes[0]).toBe(
      'x: NaN or Infinity in the sample, which a JSON Schema number rejects: no type restriction',
    )
    expect(rejected(draft.schema, rows)).toEqual([])
  })

  it('drops a footer format the values do not satisfy, and keeps the footer output type', async () => {
    const far = new Date(Date.UTC(20000, 0, 1))
    const { draft, rows } = await inferParquet(
      writeParquet([{ name: 'd', type: 'date' }], [{ d: far }, { d: '2026-01-01' }]),
    )
    expect(rows[0]).toEqual({ d: '+020000-01-01' })
    expect(draft.schema.properties).toEqual({ d: { type: 'string' } })
    expect(draft.outputColumns).toEqual([{ name: 'd', type: 'date', nullable: false }])
    expect(draft.notes[0]).toBe('d: some values are not a valid date: no format')
    expect(rejected(draft.schema, rows)).toEqual([])
  })

  it('reads parquet-mr files: INT96 timestamps, FLOAT, unannotated byte arrays', async () => {
    const { draft, rows } = await inferParquet(fixture('alltypes_plain.parquet'))
    expect(draft.outputColumns).toEqual([
      { name: 'id', type: 'int32', nullable: false },
      { name: 'bool_col', type: 'boolean', nullable: false },
      { name: 'tinyint_col', type: 'int32', nullable: false },
      { name: 'smallint_col', type: 'int32', nullable: false },
      { name: 'int_col', type: 'int32', nullable: false },
      { name: 'bigint_col', type: 'int64', nullable: false },
      { name: 'float_col', type: 'double', nullable: false },
      { name: 'double_col', type: 'double', nullable: false },
      { name: 'date_string_col', type: 'string', nullable: false },
      { name: 'string_col', type: 'string', nullable: false },
      { name: 'timestamp_col', type: 'timestamp', unit: 'us', nullable: false },
    ])
    expect(draft.eventTimeField).toBe('timestamp_col')
    expect(rejected(draft.schema, rows)).toEqual([])
  })

  it('maps DECIMAL to number and double', async () => {
    const { draft, rows, sourceTypes } = await inferParquet(fixture('int64_decimal.parquet'))
    expect(sourceTypes[0]?.logicalType).toMatch(/^DECIMAL/)
    expect(draft.outputColumns[0]).toMatchObject({ type: 'double' })
    expect(Object.values(draft.schema.properties as object)).toEqual([{ type: 'number' }])
    expect(rejected(draft.schema, rows)).toEqual([])
  })

  it('accepts list columns as they are and leaves them out of the output', async () => {
    const { draft, rows } = await inferParquet(fixture('list_columns.parquet'))
    expect(draft.schema.properties).toEqual({ int64_list: {}, utf8_list: {} })
    expect(draft.outputColumns).toEqual([])
    expect(draft.checks).toEqual({})
    expect(rejected(draft.schema, rows)).toEqual([])
  })
})

describe('inferDataset output', () => {
  it('is the same JSON for the same input, lists properties in source order and enums sorted', async () => {
    const { rows, header } = await read('s.csv', encode(ordersCsv()))
    const input: InferInput = { format: 'csv', columns: header ?? [], rows }
    const draft = inferDataset(input)
    expect(JSON.stringify(inferDataset(structuredClone(input)))).toBe(JSON.stringify(draft))
    // only the notes' example texts depend on which row comes first
    const reversed = inferDataset({ ...input, rows: [...rows].reverse() })
    expect(JSON.stringify({ ...reversed, notes: [] })).toBe(JSON.stringify({ ...draft, notes: [] }))
    expect(Object.keys(draft.schema.properties as object)).toEqual(header)
  })

  it("uses only keywords Ferry's columnar validator checks itself, so files validate on the fast path", async () => {
    const { draft } = await inferCsv(ordersCsv())
    const validator = compileColumnarValidator(draft.schema, 'sample')
    expect(validator.mode, validator.reason).toBe('columnar')
  })
})
