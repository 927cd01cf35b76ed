import { describe, expect, it } from 'vitest'
import { bytesReader, memorySink, writeParquet } from '../../../../src/core/formats/parquet.js'
import { UsageError } from '../../../../src/errors.js'
import { catRows } from '../../../../src/ops/debug/cat.js'
import { orders } from '../../../support/datasets.js'

const encoder = new TextEncoder()

async function cat(
  bytes: Uint8Array,
  key: string,
  options: Partial<Parameters<typeof catRows>[2]> = {},
  typed = false,
) {
  const sink = memorySink()
  let beats = 0
  const summary = await catRows(
    bytesReader(bytes),
    sink,
    { json: true, limits: {}, key, ...options },
    typed ? orders : undefined,
    () => {
      beats++
    },
  )
  const text = new TextDecoder().decode((await sink.close()) ?? new Uint8Array())
  return { summary, text, beats }
}

const parquet = writeParquet(
  [
    { name: 'id', type: 'string' },
    { name: 'big', type: 'int64' },
    { name: 'at', type: 'timestamp', unit: 'ms' },
    { name: 'note', type: 'string' },
  ],
  [
    { id: 'a', big: 9007199254740993n, at: '2026-11-23T08:00:00.250Z', note: 'x' },
    { id: 'b', big: 2, at: '2026-11-23T09:00:00Z', note: null },
    { id: 'c', big: 3, at: '2026-11-23T10:00:00Z', note: 'z' },
  ],
)

describe('catRows', () => {
  it('prints Parquet rows as NDJSON in their JSON shape: big INT64 as text, timestamps RFC 3339, nulls left out', async () => {
    const { summary, text, beats } = await cat(parquet, 'x.parquet')
    expect(
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    ).toEqual([
      { id: 'a', big: '9007199254740993', at: '2026-11-23T08:00:00.250Z', note: 'x' },
      { id: 'b', big: 2, at: '2026-11-23T09:00:00.000Z' },
      { id: 'c', big: 3, at: '2026-11-23T10:00:00.000Z', note: 'z' },
    ])
    expect(summary).toEqual({ format: 'parquet', rows: 3, unreadable: 0, columns: ['id', 'big', 'at', 'note'] })
    expect(beats).toBeGreaterThan(0)
  })

  it('keeps to --limit and --columns (in their order, null where empty), and names unknown columns', async () => {
    const { text, summary } = await cat(parquet, 'x.parquet', { limit: 2, columns: ['note', 'id'] })
    expect(text).toBe('{"note":"x","id":"a"}\n{"note":null,"id":"b"}\n')
    expect(summary.rows).toBe(2)
    await expect(cat(parquet, 'x.parquet', { columns: ['id', 'nope'] })).rejects.toThrow(UsageError)
    await expect(cat(parquet, 'x.parquet', { columns: ['nope'] })).rejects.toThrow(
      'no column nope in this file; it has id, big, at, note',
    )
  })

  it('prints column = value blocks without --json', async () => {
    const { text } = await cat(parquet, 'x.parquet', { json: false, limit: 1 })
    expect(text).toBe('id = a\nbig = 9007199254740993\nat = 2026-11-23T08:00:00.250Z\nnote = x\n\n')
  })

  it('types CSV by the dataset as the worker does, and counts records that are not rows', async () => {
    const csv = encoder.encode('order_id,quantity,amount\nORD-00000001,2,9.5\nbroken\nORD-00000002,3,1\n')
    const raw = await cat(csv, 'orders/a.csv')
    expect(raw.text.split('\n')[0]).toBe('{"order_id":"ORD-00000001","quantity":"2","amount":"9.5"}')
    const typed = await cat(csv, 'orders/a.csv', {}, true)
    expect(typed.text.split('\n')[0]).toBe('{"order_id":"ORD-00000001","quantity":2,"amount":9.5}')
    expect(typed.summary).toMatchObject({ format: 'csv', rows: 2, unreadable: 1 })
  })
})
