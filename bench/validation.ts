/**
 * Columnar validation against row-wise ajv on 1M orders-shaped rows, in the same process and run.
 * Two column representations: as the Parquet reader decodes today (timestamps as ISO strings, INT64
 * as numbers) and as raw decoded columns (Date timestamps, BigInt64Array quantities). About 1% of
 * rows carry a defect, so the error path is timed too.
 *
 *   npm run build && node dist/bench/validation.js [rows]
 */
import { performance } from 'node:perf_hooks'
import type { Row } from '../src/core/dataset.js'
import { seededRandom } from '../src/core/sample-orders.js'
import { compileRowValidator } from '../src/core/validate.js'
import { type ColumnBatch, compileColumnarValidator, rowAt } from '../src/core/validation/columnar.js'
import { exampleDatasets } from '../src/project/example.js'

const { schema } = exampleDatasets().find((d) => d.name === 'orders')!

const ROWS = Number(process.argv[2] ?? 1_000_000)
/** rows per batch, about one Parquet row group */
const BATCH = 100_000
const RUNS = 3
const CURRENCIES = ['EUR', 'USD', 'GBP', 'JPY', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CAD', 'AUD']
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const NIGHT = Date.UTC(2026, 10, 23)

type Representation = 'reader' | 'decoded'

function ordersColumns(rows: number, representation: Representation): ColumnBatch {
  const random = seededRandom(42)
  const int = (n: number): number => Math.floor(random() * n)
  const instant = (): Date => new Date(NIGHT + int(86_400_000))
  const time = representation === 'decoded' ? instant : () => instant().toISOString()
  const orderId: string[] = []
  const customerId: string[] = []
  const orderedAt: unknown[] = []
  const shippedAt: unknown[] = []
  const amount = new Float64Array(rows)
  const currency: string[] = []
  const country: string[] = []
  const quantity = representation === 'decoded' ? new BigInt64Array(rows) : new Float64Array(rows)
  const note: (string | null)[] = []
  for (let i = 0; i < rows; i++) {
    const defect = random() < 0.01 ? int(4) : -1
    orderId.push(`ORD-${String(int(100_000_000)).padStart(defect === 0 ? 7 : 8, '0')}`)
    customerId.push(`customer-${int(50_000)}`)
    orderedAt.push(defect === 1 ? '2026-11-23T25:00:00Z' : time())
    shippedAt.push(random() < 0.6 ? time() : null)
    amount[i] = defect === 2 ? -1 : Math.round(random() * 50_000) / 100
    currency.push(CURRENCIES[int(CURRENCIES.length)]!)
    country.push(LETTERS[int(26)]! + LETTERS[int(26)]!)
    const count = defect === 3 ? 0 : 1 + int(20)
    if (quantity instanceof BigInt64Array) quantity[i] = BigInt(count)
    else quantity[i] = count
    note.push(random() < 0.3 ? 'please ring the bell' : null)
  }
  const columns = {
    order_id: orderId,
    customer_id: customerId,
    ordered_at: orderedAt,
    shipped_at: shippedAt,
    amount,
    currency,
    country,
    quantity,
    note,
  }
  return { length: rows, columns }
}

function slices(batch: ColumnBatch): ColumnBatch[] {
  const out: ColumnBatch[] = []
  for (let start = 0; start < batch.length; start += BATCH) {
    const end = Math.min(batch.length, start + BATCH)
    const columns = Object.fromEntries(
      Object.entries(batch.columns).map(([name, values]) => [name, Array.prototype.slice.call(values, start, end)]),
    )
    out.push({ length: end - start, columns })
  }
  return out
}

/** Best of RUNS, in rows per second; the first run also warms the JIT up. */
function rowsPerSecond(work: () => number): { rate: number; invalid: number } {
  let best = Number.POSITIVE_INFINITY
  let invalid = 0
  for (let run = 0; run < RUNS; run++) {
    const started = performance.now()
    invalid = work()
    best = Math.min(best, performance.now() - started)
  }
  return { rate: (ROWS / best) * 1000, invalid }
}

const format = (rate: number): string => `${(rate / 1e6).toFixed(2)}M rows/s`

function benchmark(representation: Representation): void {
  const batches = slices(ordersColumns(ROWS, representation))
  const columnar = compileColumnarValidator(schema, 'orders')
  const reference = compileRowValidator(schema, 'orders')
  const fast = rowsPerSecond(() => batches.reduce((sum, batch) => sum + columnar.validate(batch).invalidCount, 0))
  const rowWise = rowsPerSecond(() => {
    let invalid = 0
    for (const batch of batches) {
      for (let i = 0; i < batch.length; i++) if (!reference(rowAt(batch, i)).valid) invalid++
    }
    return invalid
  })
  const rows: Row[] = batches.flatMap((batch) => Array.from({ length: batch.length }, (_, i) => rowAt(batch, i)))
  const ajvOnly = rowsPerSecond(() => rows.reduce((sum, row) => sum + (reference(row).valid ? 0 : 1), 0))
  if (fast.invalid !== rowWise.invalid || fast.invalid !== ajvOnly.invalid) {
    throw new Error(`verdicts differ: columnar ${fast.invalid}, row-wise ${rowWise.invalid}, ajv ${ajvOnly.invalid}`)
  }
  const cells = fast.rate * Object.keys(batches[0]!.columns).length
  console.log(`\n${representation === 'reader' ? 'as the reader decodes today' : 'raw decoded columns'}:`)
  console.log(`  invalid rows                    ${fast.invalid} of ${ROWS}`)
  console.log(`  columnar (${columnar.mode})          ${format(fast.rate)} (${(cells / 1e6).toFixed(1)}M cells/s)`)
  console.log(`  row-wise: build rows + ajv      ${format(rowWise.rate)}`)
  console.log(`  ajv alone on prebuilt rows      ${format(ajvOnly.rate)}`)
  console.log(`  columnar / row-wise             ${(fast.rate / rowWise.rate).toFixed(2)}x`)
  console.log(`  columnar / ajv alone            ${(fast.rate / ajvOnly.rate).toFixed(2)}x`)
}

console.log(`${ROWS} orders rows in batches of ${BATCH}, best of ${RUNS} runs, node ${process.version}`)
benchmark('reader')
benchmark('decoded')
