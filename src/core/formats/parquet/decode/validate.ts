/**
 * The check of a column chunk before hyparquet decodes it: every page hyparquet will read, walked
 * as it will walk them, with its header, levels and values checked (chunk.ts, values-check.ts) and
 * the counts held to the footer's. hyparquet then only ever sees pages it decodes as intended.
 */
import type { PageBudget } from './budget.js'
import { type ChunkColumn, ChunkPages } from './chunk.js'
import { type ChunkPlace, chunkError } from './place.js'
import { checkPlain, checkValues, valuesError } from './values-check.js'

export interface ChunkExpectation {
  /** the footer's `num_values` of the chunk: level entries, nulls and empty lists included */
  values: number
  /** the row group's rows */
  rows: number
  /**
   * Whether hyparquet reads the chunk as a flat column (a top-level, non-repeated leaf): it then
   * reads pages until it has the rows it wants, and otherwise to the chunk's end.
   */
  flat: boolean
}

/** Throws FormatError (naming the page), UnsupportedError or LimitError unless hyparquet can decode `bytes`. */
export function checkChunk(
  bytes: Uint8Array,
  column: ChunkColumn,
  expected: ChunkExpectation,
  place: ChunkPlace,
  budget: PageBudget,
): void {
  const pages = new ChunkPages(bytes, column, place, budget)
  let dictionary: number | undefined
  while (expected.flat ? pages.values < expected.values : !pages.atEnd) {
    if (pages.atEnd)
      throw chunkError(place, `the column chunk ends after ${pages.values} of its ${expected.values} values`)
    const page = pages.next()
    if (page.kind === 'dictionary') {
      try {
        checkPlain(page.body, column, page.count)
      } catch (err) {
        throw valuesError(err, page.place)
      }
      dictionary = page.count
      continue
    }
    checkValues(page, column, dictionary)
    if (pages.values > expected.values) {
      throw chunkError(place, `the pages hold more than the footer's ${expected.values} values`)
    }
  }
  if (pages.values !== expected.values) {
    throw chunkError(place, `the pages hold ${pages.values} values, the footer says ${expected.values}`)
  }
  if (pages.rows !== expected.rows) {
    throw chunkError(place, `the pages hold ${pages.rows} rows, the row group has ${expected.rows}`)
  }
}
