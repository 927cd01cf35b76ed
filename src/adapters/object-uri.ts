/**
 * The one way Ferry names an object, printed everywhere and accepted by every command that takes one:
 * `s3://bucket/key` and `gs://bucket/key` always mean the cloud; an object of a local bucket (the
 * local default) is its absolute path, `<FERRY_HOME>/buckets/<bucket>/<key>`, which any other tool
 * opens too; any other local file is its path. Parsing never throws anything but a UsageError that
 * says which forms there are.
 */

import { existsSync } from 'node:fs'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FerryConfig } from '../config/load.js'
import { UsageError } from '../errors.js'

export type ObjectLocation =
  | { kind: 'cloud'; scheme: 's3' | 'gs'; bucket: string; key: string }
  /** an object of a local bucket: its bucket and key, and its file */
  | { kind: 'local'; bucket: string; key: string; path: string }
  /** any other local file or folder */
  | { kind: 'file'; path: string }

const FORMS =
  's3://bucket/key, gs://bucket/key, or a local path (a local bucket object is <FERRY_HOME>/buckets/<bucket>/<key>)'

/** The folder of the local buckets. */
export function localBucketsRoot(config: FerryConfig): string {
  return join(config.home, 'buckets')
}

/** The URI of an object of the local buckets: its absolute path. */
export function localObjectUri(root: string, bucket: string, key: string): string {
  // not path.join: it would resolve a hostile key's `..` and name a real file outside the store
  return `${root}/${bucket}/${key}`
}

/** What a path under the local buckets stands for; a plain file otherwise. */
function fromPath(path: string, config: FerryConfig): ObjectLocation {
  const root = localBucketsRoot(config)
  const inside = relative(root, path)
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside)) return { kind: 'file', path }
  const [bucket, ...rest] = inside.split(sep)
  return { kind: 'local', bucket: bucket ?? '', key: rest.join('/'), path }
}

/**
 * On the local default, an s3:// (source) or gs:// (output) URI naming a bucket Ferry keeps locally
 * is most likely copied from a README: say what the local object is called, without a network call.
 */
function localHint(scheme: 's3' | 'gs', bucket: string, key: string, config: FerryConfig): void {
  const local = scheme === 's3' ? config.source.type === 'local' : config.output.type === 'local'
  const root = localBucketsRoot(config)
  if (!local || !existsSync(join(root, bucket))) return
  throw new UsageError(
    `${scheme}:// names the cloud, but Ferry runs on the local default here: this object is ${localObjectUri(root, bucket, key)}`,
  )
}

function fromFileUrl(text: string): string {
  try {
    if (!/^file:\/\//i.test(text)) throw new Error('not a file:// URL')
    return fileURLToPath(text)
  } catch {
    throw new UsageError(
      `${JSON.stringify(text)} is not a file URL Ferry reads: use file:///absolute/path, or ${FORMS}`,
    )
  }
}

/** Reads any of the forms above (`cwd` resolves relative paths); UsageError for anything else. */
export function locateObject(text: string, config: FerryConfig, cwd: string): ObjectLocation {
  if (text.trim() === '') throw new UsageError(`an object is named by ${FORMS}; got nothing`)
  const cloud = /^(s3|gs):\/\/([^/]*)\/?(.*)$/i.exec(text)
  if (cloud) {
    const scheme = cloud[1]!.toLowerCase() as 's3' | 'gs'
    const bucket = cloud[2] ?? ''
    if (bucket === '') throw new UsageError(`${JSON.stringify(text)} names no bucket: use ${scheme}://bucket/key`)
    localHint(scheme, bucket, cloud[3] ?? '', config)
    return { kind: 'cloud', scheme, bucket, key: cloud[3] ?? '' }
  }
  if (/^file:/i.test(text)) return fromPath(fromFileUrl(text), config)
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text))
    throw new UsageError(`unsupported URI ${JSON.stringify(text)}: use ${FORMS}`)
  return fromPath(resolve(cwd, text), config)
}

/**
 * The bucket and key (or key prefix) of a location in the source store, for commands that queue
 * objects (`replay --object`, `backfill`). UsageError naming the form that fits the configuration.
 */
export function inSourceStore(
  location: ObjectLocation,
  config: FerryConfig,
  text: string,
  part: 'key' | 'prefix' = 'key',
): { bucket: string; key: string } {
  if (config.source.type === 's3' && location.kind === 'cloud' && location.scheme === 's3') return location
  if (config.source.type === 'local' && location.kind === 'local' && location.bucket !== '') return location
  const expected =
    config.source.type === 's3'
      ? `s3://bucket/${part} (the source store is S3)`
      : `${localBucketsRoot(config)}/<bucket>/<${part}> (the local default's source)`
  throw new UsageError(`${JSON.stringify(text)} is not in the source store: name it ${expected}`)
}
