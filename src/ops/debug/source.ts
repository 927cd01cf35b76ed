/**
 * Where the debug commands read from and write to: a local path, `s3://bucket/key` or
 * `gs://bucket/key`. Cloud objects go through the same adapters the worker uses, built by the
 * composition root's store factory (src/adapters/index.ts).
 */
import { open, stat } from 'node:fs/promises'
import { locateObject } from '../../adapters/object-uri.js'
import { gcsStore, s3Store } from '../../adapters/stores.js'
import type { FerryConfig } from '../../config/load.js'
import { readAt } from '../../core/engine/sources.js'
import type { RangeReader } from '../../core/formats/parquet.js'
import { FerryError, UsageError } from '../../errors.js'
import type { ObjectStore } from '../../ports.js'

export type CloudScheme = 's3' | 'gs'

/** The S3 or GCS adapter for the config's endpoints and credentials, as the composition root builds it. */
export function cloudStore(scheme: CloudScheme, config: FerryConfig): ObjectStore {
  return scheme === 's3' ? s3Store(config) : gcsStore(config)
}

/** One object to read, by ranges or whole. Ranged reads are what let `inspect` fetch only a footer. */
export interface ObjectSource extends RangeReader {
  /** the location as the user gave it (paths resolved), for messages */
  readonly url: string
  /** the bucket; empty for a local file */
  readonly bucket: string
  /** the object key, or the local path: what the format and the dataset are recognised by */
  readonly key: string
  readonly lastModified?: Date
  /** bytes fetched so far, to show how little of the object a command needed */
  readonly bytesRead: number
  readAll(): Promise<Uint8Array>
}

export interface OpenOptions {
  /** resolves relative paths; default the process's working directory */
  cwd?: string
}

/**
 * Opens an object by any name Ferry prints (object-uri.ts). A local bucket's object keeps its bucket
 * and key, so what is derived from them (the output path's hash) is what the worker derives. Throws
 * FerryError FERRY_SOURCE_READ when it does not exist, UsageError for a name that is no object.
 */
export async function openObjectUrl(
  url: string,
  config: FerryConfig,
  options: OpenOptions = {},
): Promise<ObjectSource> {
  const location = locateObject(url, config, options.cwd ?? process.cwd())
  if (location.kind === 'file') return openLocalFile(location.path, { bucket: '', key: location.path })
  if (location.kind === 'local') return openLocalFile(location.path, location)
  const { bucket, key } = location
  const display = `${location.scheme}://${bucket}/${key}`
  if (key === '') throw new UsageError(`${display} names a bucket, not an object`)
  const store = cloudStore(location.scheme, config)
  const info = await store.head(bucket, key)
  if (!info) {
    throw new FerryError('FERRY_SOURCE_READ', `${display} does not exist`, { context: { bucket, key } })
  }
  return counting(display, { bucket, key }, info.size, info.lastModified, (range) => store.get(bucket, key, range))
}

async function openLocalFile(path: string, identity: { bucket: string; key: string }): Promise<ObjectSource> {
  let stats: Awaited<ReturnType<typeof stat>>
  try {
    stats = await stat(path)
  } catch (err) {
    throw new FerryError('FERRY_SOURCE_READ', `${path} does not exist or cannot be read`, { cause: err })
  }
  if (!stats.isFile()) throw new FerryError('FERRY_SOURCE_READ', `${path} is not a file`)
  return counting(path, identity, stats.size, stats.mtime, async ({ start, end }) => {
    const handle = await open(path, 'r')
    try {
      return await readAt(handle, start, end)
    } finally {
      await handle.close()
    }
  })
}

/** An ObjectSource over a `get`, counting the bytes fetched. */
export function counting(
  url: string,
  { bucket, key }: { bucket: string; key: string },
  size: number,
  lastModified: Date | undefined,
  get: (range: { start: number; end: number }) => Promise<Uint8Array>,
): ObjectSource {
  let bytesRead = 0
  const read = async (start: number, end: number) => {
    const bytes = await get({ start, end })
    bytesRead += bytes.byteLength
    return bytes
  }
  return {
    url,
    bucket,
    key,
    size,
    lastModified,
    get bytesRead() {
      return bytesRead
    },
    read,
    readAll: () => read(0, size),
  }
}
