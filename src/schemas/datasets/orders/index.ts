/**
 * The `orders` dataset: a complete example to copy for a new dataset. The schema (schema.json) says
 * what an acceptable input row is; the column steps turn accepted rows into output rows, a column at
 * a time; `outputColumns` types the Parquet written to GCS.
 */
import { type Dataset, defineDataset, type OutputColumn, type Row } from '../../../core/dataset.js'
import { type ColumnStep, derive } from '../../../core/transform.js'
import { utcDate } from '../../../core/transform-values.js'
import schema from './schema.json' with { type: 'json' }

/** Relative distance from a half cent within which toCents takes the exact, slower path (see there). */
const HALF_CENT_MARGIN = 1e-9

/**
 * Hundredths of the currency unit, whatever the currency. Rounding `amount * 100` directly gets
 * 1.005 wrong (100.49999...), so the product is first cut to 15 significant digits, the precision
 * a double carries faithfully. That cut moves the product by at most |product| * 5e-15, so it can
 * only change the rounding when the product lies that close to a half: elsewhere (nearly always)
 * rounding the product directly gives the same result without formatting and parsing a number.
 */
function toCents(amount: unknown): number {
  const cents = (amount as number) * 100
  const fraction = Math.abs(cents - Math.trunc(cents))
  if (Math.abs(fraction - 0.5) > HALF_CENT_MARGIN * Math.max(1, Math.abs(cents))) return Math.round(cents)
  return Math.round(Number(cents.toPrecision(15)))
}

function orderDate(orderedAt: unknown): string {
  const date = utcDate(orderedAt)
  // The schema's date-time format accepts only what utcDate parses, so this is a broken invariant.
  if (date === undefined) throw new RangeError(`ordered_at is not a date-time: ${String(orderedAt)}`)
  return date
}

function trimmedNote(note: unknown): string | null {
  const trimmed = (note as string | null)?.trim()
  return trimmed ? trimmed : null
}

/**
 * Every other output column is the input column of the same name, unchanged; a column without a value
 * (shipped_at before shipping) is null.
 */
export const ORDER_STEPS: readonly ColumnStep[] = [
  derive('order_date', ['ordered_at'], orderDate),
  derive('amount_cents', ['amount'], toCents),
  derive('country', ['country'], (country) => (country as string).toUpperCase()),
  derive('note', ['note'], trimmedNote),
]

export const ORDER_OUTPUT_COLUMNS: readonly OutputColumn[] = [
  { name: 'order_id', type: 'string', nullable: false },
  { name: 'customer_id', type: 'string', nullable: false },
  { name: 'ordered_at', type: 'timestamp', unit: 'ms', nullable: false },
  { name: 'order_date', type: 'date', nullable: false },
  { name: 'shipped_at', type: 'timestamp', unit: 'ms' },
  { name: 'amount', type: 'double', nullable: false },
  { name: 'amount_cents', type: 'int64', nullable: false },
  { name: 'currency', type: 'string', nullable: false },
  { name: 'country', type: 'string', nullable: false },
  { name: 'quantity', type: 'int32', nullable: false },
  { name: 'note', type: 'string' },
]

export const orders: Dataset = defineDataset({
  name: 'orders',
  keyPattern: /(^|\/)orders[/_-]/,
  schema,
  columns: ORDER_STEPS,
  outputColumns: ORDER_OUTPUT_COLUMNS,
  eventTimeField: 'ordered_at',
  quality: { minRowRatio: 0.95, maxRejectedRate: 0.05 },
  // Column checks run on the written output (output column names); see src/core/checks/config.ts.
  checks: {
    nullRate: [
      { column: 'customer_id', max: 0 },
      { column: 'shipped_at', max: 0.9, severity: 'warn' },
    ],
    duplicates: [{ columns: ['order_id'] }],
    allowedValues: [
      { column: 'currency', values: ['EUR', 'USD', 'GBP', 'JPY', 'CHF', 'SEK', 'NOK', 'DKK', 'PLN', 'CAD', 'AUD'] },
    ],
    range: [
      { column: 'amount', min: 0, max: 1_000_000 },
      { column: 'quantity', min: 1, max: 10_000 },
    ],
    // warn: a backfill of old orders is legitimate, but someone should know it happened
    freshness: { column: 'ordered_at', maxAgeHours: 48, severity: 'warn' },
    schemaDrift: { severity: 'warn' },
    volume: { nights: 28, minHistory: 7, maxZ: 3.5 },
    // No `files` expectation: the number of export files varies with the day's traffic.
  },
})

/** The orders steps applied to one row, as the engine's row path and the tests use them. */
export const transformOrder: (row: Row) => Row = orders.transform
