import type { CheckResult } from '../messages.js'
import { type DatasetChecks, VOLUME_DEFAULTS } from './config.js'
import { check, round } from './result.js'

export interface RobustScore {
  /** modified z-score: 0.6745 * (x - median) / MAD, with the fallbacks below */
  z: number
  median: number
  /** median absolute deviation from the median */
  mad: number
}

/** Makes the MAD a consistent estimate of the standard deviation of normal data (Iglewicz & Hoaglin). */
const MAD_TO_SIGMA = 0.6745
/** Same for the mean absolute deviation, used when the MAD is 0 (more than half the nights equal). */
const MEAN_AD_TO_SIGMA = 1.253314
/**
 * When the MAD is 0, the spread never counts as less than 1% of the median (or one unit): on a flat
 * history a one-row change would otherwise score an infinite z.
 */
const MIN_RELATIVE_SPREAD = 0.01

/**
 * How unusual `x` is against `history`, robust to the odd bad night in the history itself: Iglewicz
 * and Hoaglin's modified z-score. A MAD of 0 (more than half the nights equal) says nothing about the
 * spread; then the mean absolute deviation stands in (as SPSS does), floored by MIN_RELATIVE_SPREAD,
 * so the score is always finite.
 */
export function robustScore(x: number, history: readonly number[]): RobustScore {
  if (history.length === 0) throw new RangeError('a robust score needs at least one night of history')
  const median = medianOf(history)
  const deviations = history.map((v) => Math.abs(v - median))
  const mad = medianOf(deviations)
  if (mad > 0) return { z: (MAD_TO_SIGMA * (x - median)) / mad, median, mad }
  const meanAd = deviations.reduce((a, b) => a + b, 0) / deviations.length
  const spread = Math.max(MEAN_AD_TO_SIGMA * meanAd, Math.abs(median) * MIN_RELATIVE_SPREAD, 1)
  return { z: (x - median) / spread, median, mad }
}

export interface Volume {
  rowsIn: number
  bytesIn: number
}

/**
 * Tonight's rows and bytes read versus the same dataset's trailing nights (nights without files are
 * left out of `history` by the caller). Two-sided: a collapse is as suspicious as a spike. Passes,
 * with the score still reported, until `minHistory` nights exist.
 */
export function volumeChecks(
  tonight: Volume,
  history: readonly Volume[],
  config: NonNullable<DatasetChecks['volume']>,
): CheckResult[] {
  const { minHistory, maxZ } = { ...VOLUME_DEFAULTS, ...config }
  const severity = config.severity ?? 'fail'
  return (
    [
      ['volume_rows', 'rowsIn', 'rows'],
      ['volume_bytes', 'bytesIn', 'bytes'],
    ] as const
  ).map(([name, field, unit]) => {
    const x = tonight[field]
    if (history.length === 0) {
      return check(
        name,
        severity,
        true,
        null,
        maxZ,
        `no history yet: ${minHistory} night(s) needed before this can fail`,
      )
    }
    const { z, median, mad } = robustScore(
      x,
      history.map((night) => night[field]),
    )
    const score = round(z)
    const enough = history.length >= minHistory
    const base = `${x} ${unit} tonight vs median ${median} over ${history.length} night(s) (MAD ${mad}, z ${score}, limit ±${maxZ})`
    return check(
      name,
      severity,
      !enough || Math.abs(z) <= maxZ,
      score,
      maxZ,
      enough ? base : `${base}; only ${history.length} of ${minHistory} night(s) of history, so this cannot fail yet`,
    )
  })
}

function medianOf(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}
