import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import type { JsonSchema } from '../../../../src/core/dataset.js'
import { columnConverter, readCsv, readCsvHeader } from '../../../../src/core/formats/csv.js'
import { type RecordBatch, rowIndexes } from '../../../../src/core/formats/detect.js'
import { seededRandom } from '../../../../src/core/sample-orders.js'
import { FormatError, LimitError, UnsupportedError } from '../../../../src/errors.js'
import { orders } from '../../../support/datasets.js'

function fixture(name: string): Uint8Array {
  return readFileSync(new URL(`../../../fixtures/formats/${name}`, import.meta.url))
}

const text = (s: string) => new TextEncoder().encode(s)

async function batchesOf(input: Uint8Array | AsyncIterable<Uint8Array>, schema?: JsonSchema, batchRows?: number) {
  const batches: RecordBatch[] = []
  for await (const batch of readCsv(input, { schema, batchRows })) batches.push(batch)
  return batches
}

async function all(input: Uint8Array | AsyncIterable<Uint8Array>, schema?: JsonSchema) {
  const batches = await batchesOf(input, schema)
  return {
    rows: batches.flatMap((b) => b.rows),
    errors: batches.flatMap((b) => b.rowErrors ?? []),
    indexes: batches.flatMap((b) => rowIndexes(b)),
  }
}

/** The same bytes, delivered in pieces cut at the given offsets. */
async function* pieces(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let start = 0
  for (const cut of [...cuts, bytes.length]) {
    yield bytes.subarray(start, cut)
    start = cut
  }
}

const readError = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (err: unknown) => err,
  )

describe('readCsv', () => {
  it('reads the orders fixture: BOM dropped, CRLF, quoted commas, doubled quotes and line breaks', async () => {
    const { rows, errors } = await all(fixture('orders.csv'), orders.schema)
    expect(errors).toEqual([])
    expect(rows).toHaveLength(5)
    expect(Object.keys(rows[0]!)[0]).toBe('order_id')
    expect(rows[0]).toEqual({
      order_id: 'ORD-10000001',
      customer_id: 'C-1',
      ordered_at: '2026-02-17T08:15:00Z',
      shipped_at: '2026-02-18T10:00:00Z',
      amount: 19.99,
      currency: 'EUR',
      country: 'de',
      quantity: 2,
    })
    expect(rows[1]!.note).toBe('gift wrap, please')
    expect(rows[2]!.note).toBe('she said "leave it at the door"')
    expect(rows[3]!.note).toBe('line one\r\nline two')
    expect(rows[4]).toMatchObject({ amount: 12, quantity: 1, note: 'plain note' })
  })

  it('types values by the schema and leaves empty fields out', async () => {
    const schema = {
      type: 'object',
      properties: {
        i: { type: 'integer' },
        n: { type: 'number' },
        b: { type: 'boolean' },
        s: { type: 'string' },
        ns: { type: ['string', 'null'] },
        ni: { type: ['integer', 'null'] },
      },
    }
    const csv = 'i,n,b,s,ns,ni,other\n42,-1.5e3,TRUE,007,null,NULL,x\n,,,,,,\n 7 ,abc,yes,"",x,12345678901234567890,\n'
    const { rows } = await all(text(csv), schema)
    expect(rows).toEqual([
      { i: 42, n: -1500, b: true, s: '007', ns: 'null', other: 'x' },
      {},
      // text that does not parse stays a string, so the validator reports the schema's own error
      { i: 7, n: 'abc', b: 'yes', ns: 'x', ni: '12345678901234567890' },
    ])
  })

  it('reports ragged rows and bad quoting as row errors and keeps reading', async () => {
    const batches = await batchesOf(fixture('ragged.csv'), orders.schema)
    expect(batches).toHaveLength(1)
    const [batch] = batches
    expect(batch!.rowStart).toBe(0)
    expect(batch!.rowErrors).toEqual([
      // each with its text, so the quarantine keeps what could not be read
      { row: 1, message: 'line 3: expected 7 fields, found 6', raw: 'ORD-20000002,C-2,2026-02-17T08:01:00Z,10,EUR,DE' },
      {
        row: 2,
        message: 'line 5: expected 7 fields, found 8',
        raw: 'ORD-20000003,C-3,2026-02-17T08:02:00Z,10,EUR,DE,1,extra',
      },
      {
        row: 3,
        message: 'line 6: unexpected text after a closing quote',
        raw: 'ORD-20000004,"C-4"x,2026-02-17T08:03:00Z,10,EUR,DE,1',
      },
    ])
    expect(batch!.rows.map((row) => row.order_id)).toEqual(['ORD-20000001', 'ORD-20000005'])
    expect(rowIndexes(batch!)).toEqual([0, 4])
  })

  it('makes a row with invalid UTF-8 a row error, not U+FFFD or a failed file', async () => {
    const { rows, errors, indexes } = await all(fixture('invalid-utf8.csv'))
    expect(errors).toEqual([{ row: 1, message: 'line 3: invalid UTF-8', raw: expect.stringContaining('\ufffd') }])
    expect(rows).toEqual([
      { order_id: 'ORD-30000001', customer_id: 'C-1', note: 'café' },
      { order_id: 'ORD-30000003', customer_id: 'C-3', note: 'ok' },
    ])
    expect(indexes).toEqual([0, 2])
  })

  it('numbers lines across quoted line breaks, CR-only line ends included', async () => {
    const csv = 'a,b\r1,"x\ny"\r2\r3,z'
    const { rows, errors } = await all(text(csv))
    expect(rows).toEqual([
      { a: '1', b: 'x\ny' },
      { a: '3', b: 'z' },
    ])
    expect(errors).toEqual([{ row: 1, message: 'line 4: expected 2 fields, found 1', raw: '2' }])
  })

  it('reads an unterminated quote at the end as one row error', async () => {
    const { rows, errors } = await all(text('a,b\n1,2\n3,"open\n4,5\n'))
    expect(rows).toEqual([{ a: '1', b: '2' }])
    expect(errors).toEqual([{ row: 1, message: 'line 3: unterminated quoted field', raw: '3,"open\n4,5\n' }])
  })

  it('gives the same result however the input is cut into chunks', async () => {
    const bytes = fixture('orders.csv')
    const whole = await all(bytes, orders.schema)
    const everyByte = await all(
      pieces(
        bytes,
        Array.from({ length: bytes.length - 1 }, (_, i) => i + 1),
      ),
      orders.schema,
    )
    expect(everyByte).toEqual(whole)
    const random = seededRandom(7)
    for (let round = 0; round < 50; round++) {
      const cuts = Array.from({ length: 1 + Math.floor(random() * 6) }, () => Math.floor(random() * bytes.length))
      expect(
        await all(
          pieces(
            bytes,
            [...new Set(cuts)].sort((a, b) => a - b),
          ),
          orders.schema,
        ),
      ).toEqual(whole)
    }
  })

  it('batches a few thousand rows at a time with the right rowStart', async () => {
    const lines = ['id,v', ...Array.from({ length: 12_001 }, (_, i) => (i === 7000 ? `${i}` : `${i},x`))]
    const batches = await batchesOf(text(`${lines.join('\n')}\n`), { properties: { id: { type: 'integer' } } }, 5000)
    expect(batches.map((b) => [b.rowStart, b.rows.length, b.rowErrors?.length ?? 0])).toEqual([
      [0, 5000, 0],
      [5000, 4999, 1],
      [10000, 2001, 0],
    ])
    expect(batches[1]!.rowErrors).toEqual([
      { row: 7000, message: 'line 7002: expected 2 fields, found 1', raw: '7000' },
    ])
    expect(batches[2]!.rows[0]).toEqual({ id: 10000, v: 'x' })
  })

  it('reads a header-only file as no rows and an empty file as FormatError', async () => {
    expect(await batchesOf(text('a,b\r\n'))).toEqual([])
    expect(await readError(batchesOf(text('')))).toBeInstanceOf(FormatError)
    expect(await readError(batchesOf(text('\ufeff\n\n')))).toBeInstanceOf(FormatError)
  })

  it('refuses a header with an empty, repeated or __proto__ name', async () => {
    await expect(batchesOf(text('a,,b\n1,2,3\n'))).rejects.toThrow(/column 2 has no name/)
    await expect(batchesOf(text('a,b,a\n1,2,3\n'))).rejects.toThrow(/"a" appears twice/)
    await expect(batchesOf(text('__proto__\n1\n'))).rejects.toBeInstanceOf(UnsupportedError)
    await expect(batchesOf(text('a,"b\n'))).rejects.toBeInstanceOf(FormatError)
  })

  it('stops with LimitError on a record longer than the limit (a quote never closed)', async () => {
    async function* endless(): AsyncGenerator<Uint8Array> {
      yield text('a,b\n1,"')
      for (let i = 0; i < 64; i++) yield new Uint8Array(64 * 1024).fill(0x41)
    }
    const err = await readError(
      (async () => {
        for await (const _ of readCsv(endless(), { maxRecordBytes: 1024 * 1024 })) {
          // drain
        }
      })(),
    )
    expect(err).toBeInstanceOf(LimitError)
    expect((err as Error).message).toMatch(/line 2 is longer than 1048576 bytes/)
  })
})

describe('readCsvHeader', () => {
  it('reads the header from the first bytes only', () => {
    const start = fixture('orders.csv').subarray(0, 120)
    expect(readCsvHeader(start)).toEqual([
      'order_id',
      'customer_id',
      'ordered_at',
      'shipped_at',
      'amount',
      'currency',
      'country',
      'quantity',
      'note',
    ])
    expect(() => readCsvHeader(text('a,b,c'))).toThrow(FormatError)
  })
})

describe('columnConverter', () => {
  it('leaves untyped and string columns as text', () => {
    expect(columnConverter(undefined)('12')).toBe('12')
    expect(columnConverter({ type: 'string' })('12')).toBe('12')
    expect(columnConverter({ type: 'number' })('1e-3')).toBe(0.001)
    expect(columnConverter({ type: 'number' })('0x10')).toBe('0x10')
    expect(columnConverter({ type: 'integer' })('1.5')).toBe('1.5')
    expect(columnConverter({ type: 'number' })('12345678901234567890')).toBe(12345678901234567000)
  })
})

describe('readCsv delimiters', () => {
  it('splits on the chosen separator only, quoting it where a value holds it', async () => {
    for (const delimiter of [';', '\t', '|'] as const) {
      const d = delimiter
      const csv = `a${d}b${d}c\n1,5${d}"x${d}y"${d}"say ""hi"""\n2${d}3\n`
      const batches: RecordBatch[] = []
      for await (const batch of readCsv(text(csv), { delimiter })) batches.push(batch)
      expect(
        batches.flatMap((b) => b.rows),
        JSON.stringify(d),
      ).toEqual([{ a: '1,5', b: `x${d}y`, c: 'say "hi"' }])
      expect(batches.flatMap((b) => b.rowErrors ?? []).map((e) => e.message)).toEqual([
        'line 3: expected 3 fields, found 2',
      ])
    }
  })
})
