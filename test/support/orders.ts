/** Sample orders for tests: valid rows of one day (2026-11-23), with `defects` rows broken on purpose. */
import type { Row } from '../../src/core/dataset.js'
import { writeParquet } from '../../src/core/formats/parquet.js'
import { ORDER_INPUT_COLUMNS, orderRows, seededRandom, spoilRows } from '../../src/core/sample-orders.js'

export interface SampleOrdersOptions {
  /** rows the orders schema rejects, one defect each (see spoilRows); default 0 */
  defects?: number
  /** default `count`, so files of different sizes differ */
  seed?: number
}

export function sampleOrders(count: number, options: SampleOrdersOptions = {}): Row[] {
  const random = seededRandom(options.seed ?? count)
  const rows = orderRows(random, {
    count,
    from: Date.UTC(2026, 10, 23),
    to: Date.UTC(2026, 10, 24),
    firstOrderNumber: 1,
  })
  spoilRows(random, rows, options.defects ?? 0)
  return rows
}

/** `sampleOrders` as a Parquet input file with row groups of `rowGroupSize` rows. */
export function sampleOrdersParquet(
  count: number,
  rowGroupSize: number,
  options: SampleOrdersOptions = {},
): Uint8Array {
  return writeParquet(ORDER_INPUT_COLUMNS, sampleOrders(count, options), { rowGroupSize })
}
