import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { processFile } from '../../../src/core/engine.js'
import { bytesReader } from '../../../src/core/formats/parquet.js'
import { FormatError } from '../../../src/errors.js'
import { counting } from '../../../src/ops/debug/source.js'
import { validateObject } from '../../../src/ops/debug/validate.js'
import { orders } from '../../support/datasets.js'

const text = (s: string) => new TextEncoder().encode(s)
/** Random bytes, but for line feeds every 40 bytes: hundreds of "records", none of them JSON. */
const noise = () => {
  const bytes = randomBytes(16_000)
  for (let i = 39; i < bytes.length; i += 40) bytes[i] = 0x0a
  return new Uint8Array(bytes)
}

describe('a text file none of whose records reads as a row', () => {
  it('is unreadable (FERRY_FORMAT), not a file of invalid rows: random bytes named .ndjson', async () => {
    const err = await processFile(noise(), orders, { key: 'orders/random.ndjson' }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(FormatError)
    expect((err as Error).message).toMatch(
      /^no record of orders\/random\.ndjson reads as an NDJSON row \(\d+ tried\); the first: line 1: /,
    )
  })

  it('is unreadable: a CSV whose every line is ragged', async () => {
    const csv = text('order_id,amount\n1,2,3\n4\n5,6,7,8\n')
    await expect(processFile(csv, orders, { key: 'orders/a.csv' })).rejects.toThrow(/reads as a CSV row \(3 tried\)/)
  })

  it('is still a file of rows when one record reads: the others are quarantined', async () => {
    const good = JSON.stringify({
      order_id: 'ORD-00000001',
      customer_id: 'C-1',
      ordered_at: '2026-11-23T08:00:00Z',
      amount: 1,
      currency: 'EUR',
      country: 'DE',
      quantity: 1,
    })
    const report = await processFile(text(`${good}\nnot json\n{broken\n`), orders, { key: 'orders/a.ndjson' })
    expect(report).toMatchObject({ rowsIn: 3, rowsOut: 1, rowsRejected: 2 })
  })

  it('makes ferry validate say unreadable (exit 2) rather than list invalid rows', async () => {
    const bytes = noise()
    const source = counting(
      'random.ndjson',
      { bucket: '', key: 'orders/random.ndjson' },
      bytes.length,
      undefined,
      ({ start, end }) => bytesReader(bytes).read(start, end),
    )
    await expect(validateObject(source, orders)).rejects.toThrow(/^no record of random\.ndjson reads as an NDJSON row/)
  })
})
