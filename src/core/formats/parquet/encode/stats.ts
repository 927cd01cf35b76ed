import type { Statistics } from 'hyparquet'
import type { PhysicalValues } from './physical.js'

/**
 * Code point order, which is the byte order of the UTF-8 text Parquet compares. JavaScript's `<`
 * compares UTF-16 units and disagrees only where a surrogate (a character beyond U+FFFF) meets a unit
 * in U+E000..U+FFFF: never when either string is ASCII. Those two ranges are swapped before comparing.
 */
function codePointLess(a: string, b: string): boolean {
  const length = Math.min(a.length, b.length)
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i)
    let y = b.charCodeAt(i)
    if (x === y) continue
    if (x >= 0xd800 && y >= 0xd800) {
      x += x >= 0xe000 ? -0x800 : 0x2000
      y += y >= 0xe000 ? -0x800 : 0x2000
    }
    return x < y
  }
  return a.length < b.length
}

/**
 * A column chunk's statistics, gathered value by value as the chunk is written, in the form
 * hyparquet-writer's footer encoder takes (it truncates long strings and marks such bounds inexact).
 */
export class RunningStatistics {
  private nulls = 0
  private min: number | bigint | string | boolean | undefined
  private max: number | bigint | string | boolean | undefined

  addNulls(count: number): void {
    this.nulls += count
  }

  /**
   * Numeric values. NaN is skipped, never a bound: the spec's rule for writers ("NaNs should not be
   * written to min or max statistics fields"), and what Arrow's writer does, so a chunk keeps the
   * bounds of its other values and an all-NaN chunk has none. (parquet-java instead writes a NaN
   * max, which its readers then discard, and DuckDB's writer drops the bounds; the spec tells
   * readers to ignore bounds when looking for NaN.)
   */
  addNumbers(values: ArrayLike<number> | BigInt64Array): void {
    let min = this.min as number | bigint | undefined
    let max = this.max as number | bigint | undefined
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!
      if (typeof value === 'number' && Number.isNaN(value)) continue
      if (min === undefined || value < min) min = value
      if (max === undefined || value > max) max = value
    }
    this.min = min
    this.max = max
  }

  addBooleans(values: Uint8Array): void {
    if (values.length === 0) return
    const anyFalse = values.includes(0)
    const anyTrue = values.includes(1)
    // false is the smaller boolean: the minimum is true only while no false was seen
    this.min = !(this.min === false || anyFalse)
    this.max = this.max === true || anyTrue
  }

  /** One string; `ascii` tells whether plain `<` may stand in for code point order. */
  addString(value: string, ascii: boolean): void {
    const min = this.min as string | undefined
    const max = this.max as string | undefined
    if (min === undefined || (ascii ? value < min : codePointLess(value, min))) this.min = value
    if (max === undefined || (ascii ? value > max : codePointLess(max, value))) this.max = value
  }

  /** Strings that may not be ASCII (dictionary entries: few, so always compared exactly). */
  addStrings(values: readonly string[]): void {
    for (const value of values) this.addString(value, false)
  }

  statistics(kind: PhysicalValues['kind']): Statistics {
    const statistics: Statistics = { null_count: BigInt(this.nulls) }
    let { min, max } = this
    if (min === undefined || max === undefined) return statistics
    // the spec asks for -0 as a zero minimum and +0 as a zero maximum, whichever zero was seen
    if (min === 0) min = -0
    if (max === 0) max = 0
    if (kind === 'string') {
      statistics.min_value = Buffer.from(min as string, 'utf8')
      statistics.max_value = Buffer.from(max as string, 'utf8')
    } else {
      statistics.min_value = min
      statistics.max_value = max
    }
    return statistics
  }
}
