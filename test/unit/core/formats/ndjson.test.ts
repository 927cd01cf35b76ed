import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { type RecordBatch, rowIndexes } from '../../../../src/core/formats/detect.js'
import { readNdjson } from '../../../../src/core/formats/ndjson.js'
import { LimitError } from '../../../../src/errors.js'

function fixture(name: string): Uint8Array {
  return readFileSync(new URL(`../../../fixtures/formats/${name}`, import.meta.url))
}

const text = (s: string) => new TextEncoder().encode(s)

async function batchesOf(input: Uint8Array | AsyncIterable<Uint8Array>, batchRows?: number) {
  const batches: RecordBatch[] = []
  for await (const batch of readNdjson(input, { batchRows })) batches.push(batch)
  return batches
}

async function* bytewise(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1)
}

describe('readNdjson', () => {
  it('reads one object per line, skipping blank lines and reporting bad lines as row errors', async () => {
    const [batch, ...rest] = await batchesOf(fixture('orders.ndjson'))
    expect(rest).toEqual([])
    expect(batch!.rowStart).toBe(0)
    expect(batch!.rows.map((row) => row.order_id)).toEqual(['ORD-40000001', 'ORD-40000002', 'ORD-40000004'])
    // a null property is an absent one, as in rows from Parquet
    expect(batch!.rows[0]).not.toHaveProperty('note')
    expect(batch!.rowErrors).toEqual([
      { row: 2, message: expect.stringMatching(/^line 5: invalid JSON: /), raw: expect.any(String) },
      { row: 3, message: 'line 6: expected a JSON object, found an array', raw: expect.stringMatching(/^\[/) },
    ])
    expect(rowIndexes(batch!)).toEqual([0, 1, 4])
  })

  it('accepts CRLF, a BOM and a last line without a newline, however the bytes are chunked', async () => {
    const bytes = text('\ufeff{"a":1}\r\n{"a":"x\\ny"}\r\n\r\n{"a":[null]}')
    const expected = [{ rowStart: 0, rows: [{ a: 1 }, { a: 'x\ny' }, { a: [null] }] }]
    expect(await batchesOf(bytes)).toEqual(expected)
    expect(await batchesOf(bytewise(bytes))).toEqual(expected)
  })

  it('names what a line holds when it is not an object', async () => {
    const [batch] = await batchesOf(text('1\n"s"\nnull\ntrue\n'))
    expect(batch!.rows).toEqual([])
    expect(batch!.rowErrors!.map((e) => e.message)).toEqual([
      'line 1: expected a JSON object, found a number',
      'line 2: expected a JSON object, found a string',
      'line 3: expected a JSON object, found null',
      'line 4: expected a JSON object, found a boolean',
    ])
  })

  it('makes a line with invalid UTF-8 a row error', async () => {
    const bytes = new Uint8Array([...text('{"a":"'), 0xff, ...text('"}\n{"a":"é"}\n')])
    const [batch] = await batchesOf(bytes)
    expect(batch!.rowErrors).toEqual([{ row: 0, message: 'line 1: invalid UTF-8', raw: '{"a":"\ufffd"}' }])
    expect(batch!.rows).toEqual([{ a: 'é' }])
  })

  it('batches by batchRows, counting bad lines in the batch', async () => {
    const lines = Array.from({ length: 25 }, (_, i) => (i === 12 ? '{' : JSON.stringify({ i })))
    const batches = await batchesOf(text(lines.join('\n')), 10)
    expect(batches.map((b) => [b.rowStart, b.rows.length, b.rowErrors?.length ?? 0])).toEqual([
      [0, 10, 0],
      [10, 9, 1],
      [20, 5, 0],
    ])
  })

  it('yields nothing for an empty or blank input', async () => {
    expect(await batchesOf(text(''))).toEqual([])
    expect(await batchesOf(text('\n \n\t\n'))).toEqual([])
  })

  it('stops with LimitError on a line longer than the limit', async () => {
    async function* noNewline(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 32; i++) yield new Uint8Array(64 * 1024).fill(0x20)
    }
    const read = async () => {
      for await (const _ of readNdjson(noNewline(), { maxRecordBytes: 1024 * 1024 })) {
        // drain
      }
    }
    await expect(read()).rejects.toBeInstanceOf(LimitError)
  })
})

describe('readNdjson nesting', () => {
  const nested = (depth: number) => `{"a":${'['.repeat(depth - 1)}${']'.repeat(depth - 1)}}`

  it('reads a record nested 64 levels deep and makes a deeper one a row error, whatever the depth', async () => {
    const [batch] = await batchesOf(text([nested(64), nested(65), nested(200_000)].join('\n')))
    expect(batch!.rows).toHaveLength(1)
    expect(batch!.rowErrors!.map((e) => [e.row, e.message])).toEqual([
      [1, 'line 2: nested deeper than 64 levels'],
      [2, 'line 3: nested deeper than 64 levels'],
    ])
  })
})
