import { createHash, randomUUID } from 'node:crypto'
import { createReadStream, type Stats } from 'node:fs'
import { mkdir, open, readdir, readFile, realpath, rename, rm, rmdir, stat, unlink } from 'node:fs/promises'
import * as path from 'node:path'
import { readAt } from '../../core/engine/sources.js'
import { type ErrorCode, FerryError, isFerryError } from '../../errors.js'
import type { ByteRange, ListOptions, ObjectInfo, ObjectStore, PutOptions } from '../../ports.js'

export interface LocalObjectStoreConfig {
  /** the folder that holds one sub-folder per bucket */
  root: string
}

/**
 * What the store remembers about an object beside its bytes; `size`/`mtimeMs`/`ino` tell whether `etag`
 * is current. The inode matters for concurrent overwrites: two same-size writes in one millisecond differ
 * only by it (every atomic write renames a fresh file), so a sidecar never vouches for the other's bytes.
 */
interface Sidecar {
  key: string
  contentType?: string
  metadata: Record<string, string>
  etag: string
  size: number
  mtimeMs: number
  ino: number
}

const BUCKET_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/
const TRANSIENT = new Set(['EMFILE', 'ENFILE', 'EAGAIN', 'EBUSY', 'EINTR', 'ETIMEDOUT'])
const ABSENT = new Set(['ENOENT', 'ENOTDIR'])

/**
 * ObjectStore on local folders: `<root>/<bucket>/<key>`, for the demo and tests. Writes go to a temp
 * file under `<root>/.tmp` and are renamed into place; content type and metadata live in a sidecar at
 * `<root>/.meta/<bucket>/<sha256(key)>.json` (flat, so no key can clash with another's folders). Files
 * dropped in by hand work too: their etag is computed on demand, and a sidecar whose file was changed
 * by hand since is ignored.
 * Bucket names cannot start with `.`, so `.tmp` and `.meta` never clash with a bucket. Keys are refused
 * when they could leave the root: `.`/`..`/empty segments, a leading `/`, `\` or NUL; symlinks that
 * point outside the root are not followed. A key cannot be both an object and a "folder" of others.
 * `etag` is the hex MD5 of the content.
 */
export class LocalObjectStore implements ObjectStore {
  readonly scheme = 'file'
  readonly root: string
  private realRoot: string | undefined

  constructor(config: LocalObjectStoreConfig) {
    this.root = path.resolve(config.root)
  }

  async head(bucket: string, key: string): Promise<ObjectInfo | undefined> {
    const { file, meta } = this.locate(bucket, key, 'FERRY_SOURCE_READ')
    try {
      const stats = await this.statInside(file, bucket, key, 'FERRY_SOURCE_READ')
      return stats?.isFile() ? await this.describe(bucket, key, file, meta, stats) : undefined
    } catch (err) {
      throw fsError(err, 'FERRY_SOURCE_READ', 'head', bucket, key)
    }
  }

  async get(bucket: string, key: string, range?: ByteRange): Promise<Uint8Array> {
    const { file } = this.locate(bucket, key, 'FERRY_SOURCE_READ')
    if (range && (!Number.isSafeInteger(range.start) || range.start < 0 || !(range.end >= range.start))) {
      throw new RangeError(`invalid byte range [${range.start}, ${range.end})`)
    }
    try {
      const stats = await this.statInside(file, bucket, key, 'FERRY_SOURCE_READ')
      if (!stats?.isFile()) throw missing(bucket, key)
      const handle = await open(file, 'r')
      try {
        const start = Math.min(range?.start ?? 0, stats.size)
        const end = Math.min(range?.end ?? stats.size, stats.size)
        return await readAt(handle, start, end)
      } finally {
        await handle.close()
      }
    } catch (err) {
      if (isAbsent(err)) throw missing(bucket, key, err)
      throw fsError(err, 'FERRY_SOURCE_READ', 'get', bucket, key)
    }
  }

  async put(bucket: string, key: string, body: Uint8Array, options: PutOptions = {}): Promise<ObjectInfo> {
    const { file, meta } = this.locate(bucket, key, 'FERRY_SINK_WRITE')
    try {
      const stats = await this.writeAtomic(file, body, bucket, key)
      const etag = createHash('md5').update(body).digest('hex')
      const metadata = { ...options.metadata }
      const { size, mtimeMs, ino } = stats
      const sidecar: Sidecar = { key, contentType: options.contentType, metadata, etag, size, mtimeMs, ino }
      await this.writeAtomic(meta, Buffer.from(JSON.stringify(sidecar)), bucket, key)
      return { bucket, key, size: body.byteLength, etag, lastModified: stats.mtime, metadata }
    } catch (err) {
      throw fsError(err, 'FERRY_SINK_WRITE', 'put', bucket, key)
    }
  }

  async *list(bucket: string, prefix: string, _options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    // The folder part of the prefix must be a safe path; the rest only filters names.
    const folder = prefix.slice(0, prefix.lastIndexOf('/') + 1)
    const segments = folder ? safeSegments(bucket, folder.slice(0, -1), 'FERRY_SOURCE_READ') : []
    if (prefix.includes('\0') || prefix.includes('\\')) throw unsafe(bucket, prefix, 'FERRY_SOURCE_READ')
    // Checked even without a folder: `.`, `` or `x/..` would walk the whole root, `.tmp` Ferry's own files.
    if (typeof bucket !== 'string' || !BUCKET_NAME.test(bucket)) throw unsafe(bucket, prefix, 'FERRY_SOURCE_READ')
    const bucketDir = path.join(this.root, bucket)
    const keys: string[] = []
    try {
      if (!(await this.statInside(bucketDir, bucket, prefix, 'FERRY_SOURCE_READ'))?.isDirectory()) {
        throw new FerryError('FERRY_SOURCE_READ', `bucket ${bucket} does not exist under ${this.root}`, {
          retryable: false,
          context: { bucket, prefix },
        })
      }
      const start = path.join(bucketDir, ...segments)
      if ((await this.statInside(start, bucket, prefix, 'FERRY_SOURCE_READ'))?.isDirectory()) {
        await walk(start, folder, prefix, keys)
      }
    } catch (err) {
      throw fsError(err, 'FERRY_SOURCE_READ', 'list', bucket, prefix)
    }
    keys.sort(compareUtf8)
    for (const key of keys) {
      const info = await this.head(bucket, key)
      if (info) yield info
    }
  }

  async delete(bucket: string, key: string): Promise<void> {
    const { file, meta } = this.locate(bucket, key, 'FERRY_SINK_WRITE')
    try {
      if (!(await this.statInside(path.dirname(file), bucket, key, 'FERRY_SINK_WRITE'))) return
      await unlink(file).catch(ignore(['ENOENT', 'ENOTDIR', 'EISDIR']))
      await unlink(meta).catch(ignore(['ENOENT']))
      await prune(path.dirname(file), path.join(this.root, bucket))
    } catch (err) {
      throw fsError(err, 'FERRY_SINK_WRITE', 'delete', bucket, key)
    }
  }

  /** Validates bucket and key and maps them to the data file and its sidecar. */
  private locate(bucket: string, key: string, code: ErrorCode): { file: string; meta: string } {
    const segments = safeSegments(bucket, key, code)
    const file = path.join(this.root, bucket, ...segments)
    const meta = path.join(this.root, '.meta', bucket, `${createHash('sha256').update(key).digest('hex')}.json`)
    if (!file.startsWith(path.join(this.root, bucket) + path.sep)) throw unsafe(bucket, key, code)
    return { file, meta }
  }

  /** Stats a path after checking that, symlinks resolved, it is inside the root; undefined when absent. */
  private async statInside(target: string, bucket: string, key: string, code: ErrorCode): Promise<Stats | undefined> {
    let real: string
    try {
      this.realRoot ??= await realpath(this.root)
      real = await realpath(target)
    } catch (err) {
      if (isAbsent(err)) return undefined
      throw err
    }
    if (real !== this.realRoot && !real.startsWith(this.realRoot + path.sep)) throw unsafe(bucket, key, code)
    const stats = await stat(real)
    return stats.isFile() || stats.isDirectory() ? stats : undefined
  }

  /** A sidecar describes the bytes it was written with; once the file changed by hand it is ignored. */
  private async describe(bucket: string, key: string, file: string, meta: string, stats: Stats): Promise<ObjectInfo> {
    const sidecar = await readSidecar(meta, key)
    const current =
      sidecar?.size === stats.size && sidecar.mtimeMs === stats.mtimeMs && sidecar.ino === stats.ino
        ? sidecar
        : undefined
    const etag = current ? current.etag : await md5File(file)
    return { bucket, key, size: stats.size, etag, lastModified: stats.mtime, metadata: { ...current?.metadata } }
  }

  /** Temp file, flushed, then renamed over the target, so readers see the old or the new bytes, never a mix. */
  private async writeAtomic(target: string, data: Uint8Array, bucket: string, key: string): Promise<Stats> {
    const tmp = path.join(this.root, '.tmp', randomUUID())
    await mkdir(path.dirname(tmp), { recursive: true })
    const handle = await open(tmp, 'wx')
    let stats: Stats
    try {
      await handle.writeFile(data)
      await handle.datasync()
      stats = await handle.stat()
    } finally {
      await handle.close()
    }
    try {
      // A concurrent delete may prune the new folder between mkdir and rename: try again.
      for (let attempt = 1; ; attempt++) {
        await this.ensureFolder(path.dirname(target), bucket, key)
        try {
          await rename(tmp, target)
          return stats
        } catch (err) {
          if (attempt >= 3 || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
        }
      }
    } catch (err) {
      await rm(tmp, { force: true })
      throw err
    }
  }

  /** mkdir -p, but only after the deepest existing ancestor proved to be inside the root (no symlink escape). */
  private async ensureFolder(dir: string, bucket: string, key: string): Promise<void> {
    let existing = dir
    while (existing.startsWith(this.root + path.sep)) {
      if (await this.statInside(existing, bucket, key, 'FERRY_SINK_WRITE')) break
      existing = path.dirname(existing)
    }
    await mkdir(dir, { recursive: true })
    await this.statInside(dir, bucket, key, 'FERRY_SINK_WRITE')
  }
}

/** The key's path segments, refusing anything that could name a path outside the bucket folder. */
function safeSegments(bucket: string, key: string, code: ErrorCode): string[] {
  if (typeof bucket !== 'string' || !BUCKET_NAME.test(bucket)) throw unsafe(bucket, key, code)
  if (typeof key !== 'string' || key === '' || Buffer.byteLength(key) > 1024) throw unsafe(bucket, key, code)
  const segments = key.split('/')
  const bad = (s: string) => s === '' || s === '.' || s === '..' || s.includes('\0') || s.includes('\\')
  if (segments.some(bad)) throw unsafe(bucket, key, code)
  return segments
}

async function walk(dir: string, relative: string, prefix: string, keys: string[]): Promise<void> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const name = `${relative}${entry.name}`
    // Symlinks and special files are not objects; folders are entered only if they can hold a match.
    if (entry.isFile() && name.startsWith(prefix)) keys.push(name)
    else if (entry.isDirectory() && (`${name}/`.startsWith(prefix) || prefix.startsWith(`${name}/`))) {
      await walk(path.join(dir, entry.name), `${name}/`, prefix, keys)
    }
  }
}

/** Removes empty folders from `dir` up to (not including) `stop`. */
async function prune(dir: string, stop: string): Promise<void> {
  for (let current = dir; current.startsWith(stop + path.sep); current = path.dirname(current)) {
    try {
      await rmdir(current)
    } catch {
      return
    }
  }
}

async function readSidecar(meta: string, key: string): Promise<Sidecar | undefined> {
  try {
    const parsed = JSON.parse(await readFile(meta, 'utf8')) as Partial<Sidecar>
    if (parsed.key !== key || typeof parsed.etag !== 'string' || typeof parsed.size !== 'number') return undefined
    return { metadata: {}, mtimeMs: -1, ino: -1, ...parsed } as Sidecar
  } catch {
    return undefined
  }
}

async function md5File(file: string): Promise<string> {
  const hash = createHash('md5')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** S3 and GCS order keys by their UTF-8 bytes; so does this store. */
function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

function isAbsent(err: unknown): boolean {
  return ABSENT.has((err as NodeJS.ErrnoException | null)?.code ?? '')
}

function ignore(codes: string[]) {
  return (err: unknown) => {
    if (!codes.includes((err as NodeJS.ErrnoException | null)?.code ?? '')) throw err
  }
}

function unsafe(bucket: string, key: string, code: ErrorCode): FerryError {
  return new FerryError(code, `refusing bucket/key that could resolve outside the store root: ${bucket}/${key}`, {
    retryable: false,
    context: { bucket, key, reason: 'unsafe-path' },
  })
}

function missing(bucket: string, key: string, cause?: unknown): FerryError {
  return new FerryError('FERRY_SOURCE_READ', `file object ${bucket}/${key} does not exist`, {
    retryable: false,
    context: { bucket, key },
    ...(cause === undefined ? {} : { cause }),
  })
}

function fsError(err: unknown, code: ErrorCode, operation: string, bucket: string, key: string): FerryError {
  if (isFerryError(err)) return err
  const errno = (err as NodeJS.ErrnoException | null)?.code
  const detail = err instanceof Error ? err.message : String(err)
  return new FerryError(code, `local ${operation} ${bucket}/${key} failed: ${detail}`, {
    cause: err,
    retryable: TRANSIENT.has(errno ?? ''),
    context: { bucket, key, operation, ...(errno === undefined ? {} : { errno }) },
  })
}
