import { writeParquet } from '../../../src/core/formats/parquet.js'
import {
  ORDER_INPUT_COLUMNS,
  orderRows,
  type Random,
  seededRandom,
  spoilRows,
} from '../../../src/core/sample-orders.js'

/** What a file of the chaos night is for: most are clean, a few exercise quarantine and dead letters. */
export type ChaosFileKind = 'clean' | 'low-invalid' | 'high-invalid' | 'all-invalid' | 'corrupt'

export interface ChaosFile {
  key: string
  bytes: Uint8Array
  kind: ChaosFileKind
  rows: number
  invalidRows: number
}

const SPECIAL: readonly ChaosFileKind[] = ['low-invalid', 'high-invalid', 'all-invalid', 'corrupt']
const MS_PER_DAY = 86_400_000

/**
 * A small, deterministic night of `orders` Parquet files: 40 to 120 rows each, so a crash test spends
 * its time on crashes rather than on encoding. One file has one bad row (quarantined rows, passes
 * quality), one has ~10% bad rows (fails quality), one has only bad rows (status quarantined) and one
 * is truncated mid-file (dead-lettered). Same options, same bytes.
 */
export function chaosNight(options: { files: number; seed: number; date: string }): ChaosFile[] {
  if (!Number.isInteger(options.files) || options.files < SPECIAL.length + 1) {
    throw new RangeError(`a chaos night needs at least ${SPECIAL.length + 1} files, got ${options.files}`)
  }
  const random = seededRandom(options.seed)
  const roles = new Map(shuffled(random, options.files).map((index, i) => [index, SPECIAL[i] ?? 'clean']))
  const dayStart = Date.parse(`${options.date}T00:00:00Z`)
  let orderNumber = 20_000_000
  return Array.from({ length: options.files }, (_, i) => {
    const kind = roles.get(i) ?? 'clean'
    const count = 40 + Math.floor(random() * 81)
    const rows = orderRows(random, {
      count,
      from: dayStart + Math.floor((i * MS_PER_DAY) / options.files),
      to: dayStart + Math.floor(((i + 1) * MS_PER_DAY) / options.files),
      firstOrderNumber: orderNumber,
    })
    orderNumber += count
    const invalidRows =
      kind === 'low-invalid' ? 1 : kind === 'high-invalid' ? Math.ceil(count / 10) : kind === 'all-invalid' ? count : 0
    spoilRows(random, rows, invalidRows)
    const bytes = writeParquet(ORDER_INPUT_COLUMNS, rows)
    const key = `orders/${options.date}/orders-${String(i + 1).padStart(4, '0')}.parquet`
    if (kind === 'corrupt') {
      // cut mid-file, as an interrupted upload would: the footer is gone
      return { key, bytes: bytes.slice(0, Math.floor(bytes.byteLength * 0.6)), kind, rows: 0, invalidRows: 0 }
    }
    return { key, bytes, kind, rows: count, invalidRows }
  })
}

/** The first SPECIAL.length entries of a seeded shuffle of 0..n-1 get the special roles. */
function shuffled(random: Random, n: number): number[] {
  const out = Array.from({ length: n }, (_, i) => i)
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}
