/**
 * Deterministic, realistic `orders` rows for the sample night, plus the defects that make a row fail
 * the orders schema. Everything draws from one seeded PRNG, so a seed always yields the same rows.
 */
import type { OutputColumn, Row } from './dataset.js'

export type Random = () => number

/** mulberry32: tiny, fast and good enough for test data; not for anything secret. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/**
 * How the order system exports: plain types, every column nullable, `ordered_at` a real timestamp
 * but `shipped_at` ISO text, as exports often mix the two.
 */
export const ORDER_INPUT_COLUMNS: readonly OutputColumn[] = [
  { name: 'order_id', type: 'string' },
  { name: 'customer_id', type: 'string' },
  { name: 'ordered_at', type: 'timestamp', unit: 'ms' },
  { name: 'shipped_at', type: 'string' },
  { name: 'amount', type: 'double' },
  { name: 'currency', type: 'string' },
  { name: 'country', type: 'string' },
  { name: 'quantity', type: 'int32' },
  { name: 'note', type: 'string' },
]

/** [country, currency, weight]: a European shop with some overseas trade. */
const MARKETS: ReadonlyArray<readonly [string, string, number]> = [
  ['DE', 'EUR', 25],
  ['FR', 'EUR', 12],
  ['NL', 'EUR', 6],
  ['IT', 'EUR', 6],
  ['ES', 'EUR', 5],
  ['US', 'USD', 18],
  ['GB', 'GBP', 10],
  ['CH', 'CHF', 4],
  ['JP', 'JPY', 3],
  ['SE', 'SEK', 3],
  ['NO', 'NOK', 2],
  ['DK', 'DKK', 2],
  ['PL', 'PLN', 2],
  ['CA', 'CAD', 1],
  ['AU', 'AUD', 1],
]
const MARKET_WEIGHT = MARKETS.reduce((sum, [, , weight]) => sum + weight, 0)
/** rough units per euro, so a JPY order is not worth 60 yen */
const EXCHANGE: Record<string, number> = { JPY: 160, SEK: 11, NOK: 11, DKK: 7.5, PLN: 4.3 }

const NOTES = [
  'Please leave at the front door',
  'Gift wrap, no invoice in the parcel',
  'Call before delivery',
  '  deliver after 6pm  ',
  'Second floor, ring twice',
  'Fragile',
  '   ',
]
const CUSTOMER_POOL = 250_000

function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!
}

function market(random: Random): readonly [string, string, number] {
  let ticket = random() * MARKET_WEIGHT
  for (const entry of MARKETS) {
    ticket -= entry[2]
    if (ticket < 0) return entry
  }
  return MARKETS[0]!
}

/** Order totals are roughly log-normal: many small baskets, a long tail of large ones. */
function amountFor(random: Random, currency: string): number {
  const normal = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random())
  const euros = Math.min(20_000, Math.max(0.5, Math.exp(Math.log(60) + 0.9 * normal)))
  const amount = euros * (EXCHANGE[currency] ?? 1)
  return currency === 'JPY' ? Math.round(amount) : Math.round(amount * 100) / 100
}

export interface OrderRowsOptions {
  count: number
  /** epoch ms; order times are spread over [from, to) and sorted */
  from: number
  to: number
  /** the first order number; rows take consecutive numbers */
  firstOrderNumber: number
}

/** Valid orders, sorted by `ordered_at`. */
export function orderRows(random: Random, options: OrderRowsOptions): Row[] {
  const times = Array.from({ length: options.count }, () =>
    Math.floor(options.from + random() * (options.to - options.from)),
  ).sort((a, b) => a - b)
  return times.map((time, index) => {
    const [country, currency] = market(random)
    const shipped = random() < 0.35
    const noted = random() < 0.12
    return {
      order_id: `ORD-${String(options.firstOrderNumber + index).padStart(8, '0')}`,
      // squaring skews towards low numbers: regular customers order more often
      customer_id: `CUST-${String(Math.floor(random() ** 2 * CUSTOMER_POOL)).padStart(6, '0')}`,
      ordered_at: new Date(time).toISOString(),
      shipped_at: shipped ? new Date(time + Math.floor((1 + random() * 20) * 3_600_000)).toISOString() : null,
      amount: amountFor(random, currency),
      currency,
      // a few upstream clients send lower-case codes; the schema tolerates them, the transform fixes them
      country: random() < 0.01 ? country.toLowerCase() : country,
      quantity: 1 + Math.min(49, Math.floor(-Math.log(1 - random()) * 1.2)),
      note: noted ? pick(random, NOTES) : null,
    }
  })
}

/** Each defect breaks exactly one rule of the orders schema, so each bad row has exactly one error. */
const DEFECTS: ReadonlyArray<(row: Row) => void> = [
  (row) => {
    row.currency = 'EURO' // enum
  },
  (row) => {
    row.amount = -Math.abs(row.amount as number) - 0.01 // minimum
  },
  (row) => {
    row.order_id = null // required (null columns are absent from the row)
  },
  (row) => {
    row.shipped_at = `${(row.ordered_at as string).slice(0, 10)}T24:10:00Z` // format
  },
  (row) => {
    row.quantity = 0 // minimum
  },
  (row) => {
    row.country = 'Germany' // pattern
  },
  (row) => {
    row.order_id = `ORD-${(row.order_id as string).slice(-6)}` // pattern
  },
  (row) => {
    row.amount = 2_500_000 // maximum
  },
]

/** Breaks `count` distinct rows chosen at random, cycling through the defect kinds. */
export function spoilRows(random: Random, rows: Row[], count: number): void {
  const positions = rows.map((_, index) => index)
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (positions.length - i))
    ;[positions[i], positions[j]] = [positions[j]!, positions[i]!]
    DEFECTS[i % DEFECTS.length]!(rows[positions[i]!]!)
  }
}

function csvField(value: unknown, delimiter: string): string {
  if (value === null || value === undefined) return ''
  const text = String(value)
  return /["\r\n]/.test(text) || text.includes(delimiter) ? `"${text.replaceAll('"', '""')}"` : text
}

/**
 * Orders as CSV with a header row, CRLF line ends and RFC 4180 quoting; nulls are empty fields. A
 * delimiter other than the comma gives the semicolon, tab or pipe files some exporters write.
 */
export function ordersCsv(rows: readonly Row[], delimiter = ','): Uint8Array {
  const names = ORDER_INPUT_COLUMNS.map((column) => column.name)
  const line = (values: string[]) => values.join(delimiter)
  const lines = [line(names), ...rows.map((row) => line(names.map((name) => csvField(row[name], delimiter))))]
  return new TextEncoder().encode(`${lines.join('\r\n')}\r\n`)
}

/** Orders as NDJSON, one object per line. */
export function ordersNdjson(rows: readonly Row[]): Uint8Array {
  return new TextEncoder().encode(rows.map((row) => `${JSON.stringify(row)}\n`).join(''))
}
