/**
 * The `orders` dataset: a complete example to copy for a new dataset. The schema (schema.json) says
 * what an acceptable input row is; the transform turns an accepted row into the output row;
 * `outputColumns` types the Parquet written to GCS.
 */
import { type Dataset, defineDataset, type OutputColumn, type Row } from '../../../core/dataset.js'
import { utcDateOf } from '../../../core/temporal.js'
import schema from './schema.json' with { type: 'json' }

/** An input row once schema.json has accepted it. */
interface OrderInput {
  order_id: string
  customer_id: string
  ordered_at: string
  shipped_at?: string | null
  amount: number
  currency: string
  country: string
  quantity: number
  note?: string | null
}

/**
 * Hundredths of the currency unit, whatever the currency. Rounding `amount * 100` directly gets
 * 1.005 wrong (100.49999...), so the product is first cut to 15 significant digits, the precision
 * a double carries faithfully.
 */
function toCents(amount: number): number {
  return Math.round(Number((amount * 100).toPrecision(15)))
}

export function transformOrder(row: Row): Row {
  const order = row as unknown as OrderInput
  const orderDate = utcDateOf(order.ordered_at)
  // The schema's date-time format accepts only what utcDateOf parses, so this is a broken invariant.
  if (orderDate === undefined) throw new RangeError(`ordered_at is not a date-time: ${order.ordered_at}`)
  const note = order.note?.trim()
  return {
    order_id: order.order_id,
    customer_id: order.customer_id,
    ordered_at: order.ordered_at,
    order_date: orderDate,
    shipped_at: order.shipped_at ?? null,
    amount: order.amount,
    amount_cents: toCents(order.amount),
    currency: order.currency,
    country: order.country.toUpperCase(),
    quantity: order.quantity,
    note: note ? note : null,
  }
}

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
  transform: transformOrder,
  outputColumns: ORDER_OUTPUT_COLUMNS,
  eventTimeField: 'ordered_at',
  quality: { minRowRatio: 0.95, maxRejectedRate: 0.05 },
})
