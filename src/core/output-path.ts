import { createHash } from 'node:crypto'

export interface SourceIdentity {
  bucket: string
  key: string
}

/**
 * Deterministic output locations. The name depends only on the dataset, the event date and the source
 * object's identity (bucket + key), so reprocessing a file overwrites the same object instead of
 * adding a second one, and two sources with the same file name never collide.
 */
export function outputKey(prefix: string, dataset: string, eventDate: string, source: SourceIdentity): string {
  return joinKey(prefix, dataset, `date=${eventDate}`, `${stem(source.key)}-${sourceHash(source)}.parquet`)
}

export function quarantineKey(prefix: string, dataset: string, eventDate: string, source: SourceIdentity): string {
  return joinKey(prefix, dataset, `date=${eventDate}`, `${stem(source.key)}-${sourceHash(source)}.ndjson`)
}

/** UTC calendar date of an ISO timestamp. */
export function eventDateOf(isoTime: string): string {
  const time = new Date(isoTime)
  if (Number.isNaN(time.getTime())) throw new RangeError(`not a timestamp: ${isoTime}`)
  return time.toISOString().slice(0, 10)
}

function sourceHash(source: SourceIdentity): string {
  return createHash('sha256').update(`${source.bucket}/${source.key}`).digest('hex').slice(0, 12)
}

/** The file name without extensions, reduced to characters safe in every object store and shell. */
function stem(key: string): string {
  const base = key.slice(key.lastIndexOf('/') + 1).replace(/(\.(parquet|csv|ndjson|jsonl|json|gz))+$/i, '')
  const safe = base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '')
  return (safe || 'object').slice(0, 80)
}

function joinKey(...parts: string[]): string {
  return parts.filter(Boolean).join('/')
}
