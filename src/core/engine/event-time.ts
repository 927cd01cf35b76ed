import { epochFromIsoTimestamp } from '../temporal.js'
import { utcDate } from '../transform-values.js'

/**
 * The newest event time among the written rows, which dates the file's output: a file that straddles
 * midnight is filed under the later day. Values are `Date`s or RFC 3339 text; anything else is ignored.
 */
export class NewestEvent {
  private newestMillis = Number.NEGATIVE_INFINITY
  private newest: Date | string | undefined

  /** Offers `values[i]` for each i in `rows` (every index below `count` when `rows` is undefined). */
  offer(values: ArrayLike<unknown> | undefined, rows: Int32Array | undefined, count: number): void {
    if (!values) return
    for (let r = 0; r < count; r++) {
      const value = values[rows ? rows[r]! : r]
      let millis: number
      if (value instanceof Date) millis = value.getTime()
      else if (typeof value === 'string') millis = Number(epochFromIsoTimestamp(value, 'ms') ?? Number.NaN)
      else continue
      if (millis > this.newestMillis) {
        this.newestMillis = millis
        this.newest = value
      }
    }
  }

  /** UTC date of the newest event time, or undefined when no written row had one. */
  date(): string | undefined {
    return this.newest === undefined ? undefined : utcDate(this.newest)
  }
}
