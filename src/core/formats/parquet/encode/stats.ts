import type { Statistics } from 'hyparquet'
import type { PhysicalColumn } from './physical.js'

/**
 * Code point order, which is the byte order of the UTF-8 text Parquet compares. JavaScript's `<`
 * compares UTF-16 units and disagrees only where a surrogate (a character beyond U+FFFF) meets a unit
 * in U+E000..U+FFFF, so those two ranges are swapped before comparing.
 */
export function codePointLess(a: string, b: string): boolean {
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

/** Smallest and largest string; `exact` says whether plain `<` may stand in for code point order. */
export function stringRange(values: readonly string[], exact: boolean): [string, string] | undefined {
  if (values.length === 0) return undefined
  let min = values[0]!
  let max = min
  if (exact) {
    for (const value of values) {
      if (value < min) min = value
      else if (value > max) max = value
    }
  } else {
    for (const value of values) {
      if (codePointLess(value, min)) min = value
      else if (codePointLess(max, value)) max = value
    }
  }
  return [min, max]
}

function numberRange(values: ArrayLike<number>): [number, number] | undefined {
  let min = Number.POSITIVE_INFINITY
  let max = Number.NEGATIVE_INFINITY
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!
    if (value < min) min = value
    if (value > max) max = value
  }
  // NaN never compares, so a column of NaNs leaves the range empty: the spec forbids NaN bounds
  if (min > max) return undefined
  // the spec asks for -0 as a zero minimum and +0 as a zero maximum, whichever zero was seen
  return [min === 0 ? -0 : min, max === 0 ? 0 : max]
}

function bigintRange(values: BigInt64Array): [bigint, bigint] | undefined {
  if (values.length === 0) return undefined
  let min = values[0]!
  let max = min
  for (const value of values) {
    if (value < min) min = value
    if (value > max) max = value
  }
  return [min, max]
}

/**
 * Chunk statistics in the form hyparquet-writer's footer encoder takes (it truncates long strings and
 * marks the bounds inexact). Strings come as `[min, max]` from the caller, which knows whether they
 * were all ASCII.
 */
export function chunkStatistics(
  physical: PhysicalColumn,
  rows: number,
  strings: [string, string] | undefined,
): Statistics {
  const { data } = physical
  let range: [Statistics['min_value'], Statistics['min_value']] | undefined
  switch (data.kind) {
    case 'string':
      range = strings && [Buffer.from(strings[0], 'utf8'), Buffer.from(strings[1], 'utf8')]
      break
    case 'int32':
    case 'int64':
    case 'double':
      range = numberRange(data.values)
      break
    case 'bigint64':
      range = bigintRange(data.values)
      break
    case 'boolean':
      if (data.values.length > 0) range = [!data.values.includes(0), data.values.includes(1)]
      break
  }
  const statistics: Statistics = { null_count: BigInt(rows - physical.count) }
  if (range) {
    statistics.min_value = range[0]
    statistics.max_value = range[1]
  }
  return statistics
}
