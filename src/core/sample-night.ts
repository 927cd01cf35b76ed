/**
 * A deterministic night of `orders` uploads for demos and end-to-end tests. Pure: returns the files'
 * bytes with what processing each should report; writes nothing.
 */

import { gzipSync } from 'node:zlib'
import { UsageError } from '../errors.js'
import type { Row } from './dataset.js'
import { writeParquet } from './formats/parquet.js'
import {
  ORDER_INPUT_COLUMNS,
  orderRows,
  ordersCsv,
  ordersNdjson,
  type Random,
  seededRandom,
  spoilRows,
} from './sample-orders.js'
import { daysFromIsoDate } from './temporal.js'

export interface SampleNightOptions {
  /** the night's date, `YYYY-MM-DD`; all orders fall on this UTC day */
  date: string
  /** number of files, 4..1000; default 24 (one per hour) */
  files?: number
  /** default: derived from the date, so each night differs but is reproducible */
  seed?: number
  /**
   * `parquet` (default): every file Parquet. `mixed`: as a real landing bucket, some files CSV,
   * NDJSON or gzipped CSV/NDJSON holding the same kind of rows (the damaged file stays Parquet).
   */
  formats?: 'parquet' | 'mixed'
}

export interface SampleFileExpectation {
  /** rows processing reads (0 for the corrupt file) */
  rows: number
  /** rows the orders schema rejects */
  invalidRows: number
  /** true when the file is damaged and processing must throw FormatError */
  corrupt: boolean
}

export interface SampleFile {
  key: string
  bytes: Uint8Array
  expect: SampleFileExpectation
}

export interface SampleNight {
  files: SampleFile[]
}

export const MIN_FILE_ROWS = 50
export const MAX_FILE_ROWS = 20_000
/** below the orders dataset's 5% maxRejectedRate: the file passes quality with some rows quarantined */
export const LOW_INVALID_RATE = 0.02
/** above it: the file fails quality */
export const HIGH_INVALID_RATE = 0.09
/** small row groups so the larger files exercise multi-row-group reading */
const ROW_GROUP_ROWS = 5_000
const MS_PER_DAY = 86_400_000

/** Orders per hour over a day: quiet at night, a lunch bump and an evening peak. */
function traffic(hour: number): number {
  const evening = Math.exp(-(((hour - 20.5) / 2.5) ** 2))
  const lunch = 0.45 * Math.exp(-(((hour - 12.5) / 1.5) ** 2))
  return 0.02 + evening + lunch
}

/** Row counts from the traffic curve with jitter, stretched so the quietest file has MIN_FILE_ROWS and the busiest MAX_FILE_ROWS. */
function fileSizes(random: Random, files: number): number[] {
  const weights = Array.from({ length: files }, (_, i) => traffic(((i + 0.5) * 24) / files) * (0.75 + random() * 0.5))
  const low = Math.min(...weights)
  const high = Math.max(...weights)
  return weights.map((w) => MIN_FILE_ROWS + Math.round(((w - low) / (high - low)) * (MAX_FILE_ROWS - MIN_FILE_ROWS)))
}

/** Picks the two files with invalid rows and the corrupt one, never the busiest (kept clean for benchmarks). */
function pickRoles(random: Random, sizes: number[]): { lowInvalid: number; highInvalid: number; corrupt: number } {
  const busiest = sizes.indexOf(Math.max(...sizes))
  const candidates = sizes.map((_, i) => i).filter((i) => i !== busiest)
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!]
  }
  return { lowInvalid: candidates[0]!, highInvalid: candidates[1]!, corrupt: candidates[2]! }
}

/** In a mixed night, file i (not the damaged one) takes format i mod 6: half Parquet, then the text forms. */
const MIXED_FORMATS: ReadonlyArray<{ suffix: string; encode: (rows: Row[]) => Uint8Array } | undefined> = [
  undefined,
  { suffix: '.csv', encode: ordersCsv },
  undefined,
  { suffix: '.ndjson.gz', encode: (rows) => gzipSync(ordersNdjson(rows)) },
  undefined,
  { suffix: '.csv.gz', encode: (rows) => gzipSync(ordersCsv(rows)) },
]

function invalidCount(rows: number, rate: number): number {
  return Math.max(1, Math.round(rows * rate))
}

/**
 * Generates the night's files: keys `orders/<date>/orders-0001.parquet`... (other extensions in a
 * mixed night), sizes from 50 to 20,000
 * rows following a daily traffic curve, one file with ~2% invalid rows, one with ~9%, and one
 * truncated (corrupt) file. Same options, same bytes.
 */
export function generateSampleNight(options: SampleNightOptions): SampleNight {
  const { date } = options
  const day = /^\d{4}-\d{2}-\d{2}$/.test(date) ? daysFromIsoDate(date) : undefined
  if (day === undefined) throw new UsageError(`sample night date must be a YYYY-MM-DD calendar date, got ${date}`)
  const files = options.files ?? 24
  if (!Number.isInteger(files) || files < 4 || files > 1000) {
    throw new UsageError(`sample night needs 4 to 1000 files, got ${files}`)
  }
  const random = seededRandom(options.seed ?? Number(date.replaceAll('-', '')))
  const sizes = fileSizes(random, files)
  const roles = pickRoles(random, sizes)
  const dayStart = day * MS_PER_DAY
  let nextOrderNumber = 10_000_000 + Math.floor(random() * 60_000_000)

  return {
    files: sizes.map((count, i) => {
      const rows = orderRows(random, {
        count,
        from: dayStart + Math.floor((i * MS_PER_DAY) / files),
        to: dayStart + Math.floor(((i + 1) * MS_PER_DAY) / files),
        firstOrderNumber: nextOrderNumber,
      })
      nextOrderNumber += count
      const rate = i === roles.lowInvalid ? LOW_INVALID_RATE : i === roles.highInvalid ? HIGH_INVALID_RATE : 0
      const invalidRows = rate > 0 ? invalidCount(count, rate) : 0
      spoilRows(random, rows, invalidRows)
      const stem = `orders/${date}/orders-${String(i + 1).padStart(4, '0')}`
      const text = options.formats === 'mixed' && i !== roles.corrupt ? MIXED_FORMATS[i % 6] : undefined
      if (text)
        return {
          key: `${stem}${text.suffix}`,
          bytes: text.encode(rows),
          expect: { rows: count, invalidRows, corrupt: false },
        }
      const bytes = writeParquet(ORDER_INPUT_COLUMNS, rows, { rowGroupSize: ROW_GROUP_ROWS })
      const key = `${stem}.parquet`
      if (i === roles.corrupt) {
        // cut mid-file, as an interrupted upload would: the footer is gone
        return {
          key,
          bytes: bytes.slice(0, Math.floor(bytes.byteLength * 0.6)),
          expect: { rows: 0, invalidRows: 0, corrupt: true },
        }
      }
      return { key, bytes, expect: { rows: count, invalidRows, corrupt: false } }
    }),
  }
}
