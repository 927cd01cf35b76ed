import { createHash } from 'node:crypto'
import type { ObjectStore } from '../ports.js'
import { type HistoryEntry, parseEntry, parseNight } from './history-schema.js'
import type { DatasetNight } from './report/model.js'

/**
 * The metrics history: per dataset and night, kept in the output bucket beside the outputs, so it
 * survives restarts and works on GCS and the local folder store alike through the ObjectStore port.
 *
 *   <prefix>/_ferry/history/<dataset>/<date>.json                 the night (DatasetNight), a rollup
 *   <prefix>/_ferry/history/<dataset>/<date>/files/<hash>.json    one entry per source object
 *
 * Quality consumers on any machine write only their own files' entries, keyed by a hash of the source
 * object, so concurrent writers never touch the same object (the port has no compare-and-swap, and a
 * read-modify-write of one shared object would lose updates) and a re-evaluated file simply replaces
 * its entry: last writer wins per file. The rollup is rebuilt from the entries by the one process
 * that ends the night (runNight), and trend readers read rollups only: one GET per night.
 */
export interface HistoryLocation {
  store: ObjectStore
  bucket: string
  /** the output prefix ('' for the bucket root) */
  prefix: string
}

const DAY_MS = 86_400_000
/** Parallel GETs when rolling a night up: enough to hide latency, few enough for any store. */
const READ_CONCURRENCY = 16

export function nightKey(prefix: string, dataset: string, date: string): string {
  return `${datasetPrefix(prefix, dataset)}/${date}.json`
}

export function entryKey(prefix: string, dataset: string, date: string, sourceKey: string): string {
  const hash = createHash('sha256').update(sourceKey).digest('hex').slice(0, 16)
  return `${entriesPrefix(prefix, dataset, date)}${hash}.json`
}

/** Writes (or replaces) one file's contribution to its dataset-night. */
export async function recordEntry(at: HistoryLocation, entry: HistoryEntry): Promise<void> {
  await at.store.put(at.bucket, entryKey(at.prefix, entry.dataset, entry.date, entry.key), json(entry), {
    contentType: 'application/json',
  })
}

/** Every file entry of a dataset-night; `unreadable` names objects that are not entries. */
export async function readEntries(
  at: HistoryLocation,
  dataset: string,
  date: string,
): Promise<{ entries: HistoryEntry[]; unreadable: string[] }> {
  const keys: string[] = []
  for await (const info of at.store.list(at.bucket, entriesPrefix(at.prefix, dataset, date))) keys.push(info.key)
  const parsed = await mapLimit(keys, READ_CONCURRENCY, async (key) => parseEntry(await at.store.get(at.bucket, key)))
  const entries: HistoryEntry[] = []
  const unreadable: string[] = []
  parsed.forEach((entry, i) => {
    if (entry) entries.push(entry)
    else unreadable.push(keys[i]!)
  })
  return { entries, unreadable }
}

/** The stored rollup of a dataset-night, or undefined when there is none (or it is unreadable). */
export async function readNight(at: HistoryLocation, dataset: string, date: string): Promise<DatasetNight | undefined> {
  const key = nightKey(at.prefix, dataset, date)
  if (!(await at.store.head(at.bucket, key))) return undefined
  return parseNight(await at.store.get(at.bucket, key))
}

export async function writeNight(at: HistoryLocation, night: DatasetNight): Promise<void> {
  await at.store.put(at.bucket, nightKey(at.prefix, night.dataset, night.date), json(night), {
    contentType: 'application/json',
  })
}

/** The `nights` nights before `date` that have a rollup with files, oldest first. */
export async function trailingNights(
  at: HistoryLocation,
  dataset: string,
  date: string,
  nights: number,
): Promise<DatasetNight[]> {
  const end = Date.parse(`${date}T00:00:00Z`)
  const dates = Array.from({ length: nights }, (_, i) =>
    new Date(end - (nights - i) * DAY_MS).toISOString().slice(0, 10),
  )
  const found = await mapLimit(dates, READ_CONCURRENCY, (d) => readNight(at, dataset, d))
  return found.filter((n): n is DatasetNight => n !== undefined && n.files > 0)
}

function datasetPrefix(prefix: string, dataset: string): string {
  return [prefix, '_ferry', 'history', dataset].filter(Boolean).join('/')
}

function entriesPrefix(prefix: string, dataset: string, date: string): string {
  return `${datasetPrefix(prefix, dataset)}/${date}/files/`
}

function json(value: unknown): Uint8Array {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`)
}

/** `fn` over `items` with at most `limit` calls in flight; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i]!)
    }
  })
  await Promise.all(lanes)
  return out
}
