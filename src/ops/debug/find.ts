/**
 * `ferry find`: objects under an s3:// or gs:// prefix, or files under a local folder, filtered by
 * size and modification time.
 */
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { locateObject } from '../../adapters/object-uri.js'
import type { FerryConfig } from '../../config/load.js'
import { FerryError, UsageError } from '../../errors.js'
import { bytes, int } from '../report/format.js'
import { cloudStore } from './source.js'
import { table } from './table.js'

export interface FindFilters {
  /** strictly larger than, in bytes */
  largerThan?: number
  /** strictly smaller than, in bytes */
  smallerThan?: number
  /** modified strictly after */
  modifiedAfter?: Date
  /** modified strictly before */
  modifiedBefore?: Date
}

export interface FoundObject {
  url: string
  size: number
  lastModified?: Date
}

export interface FindResult {
  objects: FoundObject[]
  /** how many objects were listed before filtering */
  listed: number
  totalBytes: number
}

const UNITS: Record<string, number> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
}

/** `10MB` (decimal) or `1.5GiB` (binary) or `512` (bytes) to a byte count; UsageError otherwise. */
export function parseSize(text: string, flag: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  const factor = match ? UNITS[(match[2] || 'b').toLowerCase()] : undefined
  if (!match || factor === undefined) {
    throw new UsageError(`--${flag} must be a size such as 500, 10KB, 1.5MB, 2GB or 64MiB; got ${JSON.stringify(text)}`)
  }
  return Math.round(Number(match[1]) * factor)
}

/** `2026-02-17` (midnight UTC) or a full ISO timestamp; UsageError otherwise. */
export function parseTime(text: string, flag: string): Date {
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text
  const time = new Date(iso)
  if (!/^\d{4}-\d{2}-\d{2}/.test(text) || Number.isNaN(time.getTime())) {
    throw new UsageError(`--${flag} must be a date (2026-02-17, UTC) or an ISO timestamp; got ${JSON.stringify(text)}`)
  }
  return time
}

export function matches(object: FoundObject, filters: FindFilters): boolean {
  const { largerThan, smallerThan, modifiedAfter, modifiedBefore } = filters
  if (largerThan !== undefined && !(object.size > largerThan)) return false
  if (smallerThan !== undefined && !(object.size < smallerThan)) return false
  const time = object.lastModified?.getTime()
  // an object whose time is unknown cannot be shown to satisfy a time filter
  if (modifiedAfter !== undefined && !(time !== undefined && time > modifiedAfter.getTime())) return false
  if (modifiedBefore !== undefined && !(time !== undefined && time < modifiedBefore.getTime())) return false
  return true
}

async function* walk(path: string): AsyncGenerator<FoundObject> {
  const stats = await stat(path)
  if (stats.isFile()) {
    yield { url: path, size: stats.size, lastModified: stats.mtime }
    return
  }
  if (!stats.isDirectory()) return
  const entries = await readdir(path, { withFileTypes: true })
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  for (const entry of entries) {
    // symlinks are not followed, so a link cycle cannot make the walk endless
    if (entry.isFile() || entry.isDirectory()) yield* walk(join(path, entry.name))
  }
}

/** Every object under the location, in key (or path) order. */
async function* listLocation(url: string, config: FerryConfig, cwd: string): AsyncGenerator<FoundObject> {
  const location = locateObject(url, config, cwd)
  if (location.kind !== 'cloud') {
    try {
      yield* walk(location.path)
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new FerryError('FERRY_SOURCE_READ', `${location.path} does not exist`, { cause: err })
      }
      throw err
    }
    return
  }
  const { scheme, bucket, key: prefix } = location
  for await (const info of cloudStore(scheme, config).list(bucket, prefix)) {
    yield { url: `${scheme}://${bucket}/${info.key}`, size: info.size, lastModified: info.lastModified }
  }
}

export async function findObjects(
  url: string,
  config: FerryConfig,
  cwd: string,
  filters: FindFilters,
): Promise<FindResult> {
  const result: FindResult = { objects: [], listed: 0, totalBytes: 0 }
  for await (const object of listLocation(url, config, cwd)) {
    result.listed++
    if (!matches(object, filters)) continue
    result.objects.push(object)
    result.totalBytes += object.size
  }
  return result
}

export function formatFind(result: FindResult): string[] {
  const rows = result.objects.map((o) => [o.url, bytes(o.size), o.lastModified?.toISOString() ?? '-'])
  const total = `${int(result.objects.length)} object${result.objects.length === 1 ? '' : 's'}, ${bytes(result.totalBytes)} total (${int(result.listed)} listed)`
  return rows.length > 0 ? [...table(['key', 'size', 'last modified'], rows, new Set([1])), total] : [total]
}
