import { createHash } from 'node:crypto'
import { crc32cBase64 } from './crc32c.js'
import { badRequest, conditionNotMet, GcsError, notFound } from './http.js'

/** Writable object fields a client may send as JSON metadata (upload or PATCH). */
export interface ObjectFields {
  contentType?: string
  contentEncoding?: string
  contentDisposition?: string
  contentLanguage?: string
  cacheControl?: string
  metadata?: Record<string, string>
}

export interface StoredObject extends ObjectFields {
  bucket: string
  name: string
  data: Buffer
  generation: number
  metageneration: number
  md5Hash: string
  crc32c: string
  timeCreated: Date
  updated: Date
}

interface Bucket {
  name: string
  timeCreated: Date
  objects: Map<string, StoredObject>
}

export interface ListParams {
  prefix: string
  delimiter: string
  maxResults: number
  pageToken?: string
  startOffset?: string
  endOffset?: string
}

const STRING_FIELDS = [
  'contentType',
  'contentEncoding',
  'contentDisposition',
  'contentLanguage',
  'cacheControl',
] as const

/** Picks the writable fields out of client JSON; `null` values become removals (PATCH semantics). */
export function objectFields(json: Record<string, unknown>): { fields: ObjectFields; remove: Set<string> } {
  const fields: ObjectFields = {}
  const remove = new Set<string>()
  for (const field of STRING_FIELDS) {
    const value = json[field]
    if (typeof value === 'string') fields[field] = value
    else if (value === null) remove.add(field)
  }
  const metadata = json.metadata
  if (metadata === null) remove.add('metadata')
  else if (typeof metadata === 'object' && metadata !== undefined) {
    fields.metadata = {}
    for (const [key, value] of Object.entries(metadata as Record<string, unknown>)) {
      if (value === null) remove.add(`metadata.${key}`)
      else fields.metadata[key] = String(value)
    }
  }
  return { fields, remove }
}

/** GCS orders names by their UTF-8 bytes, which is not JavaScript's UTF-16 order for astral characters. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/

/** All buckets and objects of one server, in memory. Objects keep only their live generation. */
export class GcsStore {
  private buckets = new Map<string, Bucket>()
  private lastGeneration = 0

  reset(): void {
    this.buckets.clear()
  }

  createBucket(name: unknown): Bucket {
    if (typeof name !== 'string' || !BUCKET_NAME.test(name)) throw badRequest(`Invalid bucket name: '${String(name)}'`)
    if (this.buckets.has(name)) {
      throw new GcsError(
        409,
        'conflict',
        'Your previous request to create the named bucket succeeded and you already own it.',
      )
    }
    const bucket: Bucket = { name, timeCreated: new Date(), objects: new Map() }
    this.buckets.set(name, bucket)
    return bucket
  }

  bucket(name: string): Bucket {
    const bucket = this.buckets.get(name)
    if (!bucket) throw notFound('The specified bucket does not exist.')
    return bucket
  }

  allBuckets(): Bucket[] {
    return [...this.buckets.values()].sort((a, b) => compareNames(a.name, b.name))
  }

  deleteBucket(name: string): void {
    const bucket = this.bucket(name)
    if (bucket.objects.size > 0) throw new GcsError(409, 'conflict', 'The bucket you tried to delete is not empty.')
    this.buckets.delete(name)
  }

  /** The live object, or 404; `generation` (if given) must name it. */
  object(bucketName: string, name: string, generation?: string | null): StoredObject {
    const object = this.bucket(bucketName).objects.get(name)
    if (!object || (generation && generation !== String(object.generation))) {
      throw notFound(`No such object: ${bucketName}/${name}`)
    }
    return object
  }

  /** Reads fail their `*NotMatch` preconditions with 304 Not Modified, as GCS does; everything else with 412. */
  checkPreconditions(object: StoredObject | undefined, query: URLSearchParams, read = false): void {
    const generation = object ? String(object.generation) : undefined
    const metageneration = object ? String(object.metageneration) : undefined
    const ifGenerationMatch = query.get('ifGenerationMatch')
    if (ifGenerationMatch !== null) {
      const ok = ifGenerationMatch === '0' ? object === undefined : generation === ifGenerationMatch
      if (!ok) throw conditionNotMet()
    }
    const ifMetagenerationMatch = query.get('ifMetagenerationMatch')
    if (ifMetagenerationMatch !== null && metageneration !== ifMetagenerationMatch) throw conditionNotMet()
    const notModified = read ? new GcsError(304, 'notModified', 'Not Modified') : conditionNotMet()
    const ifGenerationNotMatch = query.get('ifGenerationNotMatch')
    if (ifGenerationNotMatch !== null) {
      const same = ifGenerationNotMatch === '0' ? object === undefined : generation === ifGenerationNotMatch
      if (same) throw notModified
    }
    const ifMetagenerationNotMatch = query.get('ifMetagenerationNotMatch')
    if (ifMetagenerationNotMatch !== null && metageneration === ifMetagenerationNotMatch) throw notModified
  }

  /** Creates a new generation of the object after checking the request's preconditions. */
  put(bucketName: string, name: string, data: Buffer, fields: ObjectFields, query: URLSearchParams): StoredObject {
    if (!name) throw badRequest('Object name is required')
    if (Buffer.byteLength(name) > 1024) throw badRequest('Object name is longer than 1024 bytes')
    const bucket = this.bucket(bucketName)
    const previous = bucket.objects.get(name)
    this.checkPreconditions(previous, query)
    const md5 = createHash('md5').update(data).digest('base64')
    const now = new Date()
    const object: StoredObject = {
      ...pick(fields),
      contentType: fields.contentType ?? 'application/octet-stream',
      bucket: bucketName,
      name,
      data,
      generation: this.nextGeneration(now),
      metageneration: 1,
      md5Hash: md5,
      crc32c: crc32cBase64(data),
      timeCreated: now,
      updated: now,
    }
    bucket.objects.set(name, object)
    return object
  }

  /** PATCH semantics: given fields replace, `null` removes, custom metadata merges key by key. */
  patch(bucketName: string, name: string, json: Record<string, unknown>, query: URLSearchParams): StoredObject {
    const object = this.object(bucketName, name, query.get('generation'))
    this.checkPreconditions(object, query)
    const { fields, remove } = objectFields(json)
    const metadata = { ...object.metadata, ...fields.metadata }
    const updated: StoredObject = { ...object, ...pick(fields), metadata, metageneration: object.metageneration + 1 }
    for (const field of remove) {
      if (field.startsWith('metadata.')) delete metadata[field.slice('metadata.'.length)]
      else delete updated[field as keyof ObjectFields]
    }
    if (updated.metadata && Object.keys(updated.metadata).length === 0) delete updated.metadata
    updated.updated = new Date()
    this.bucket(bucketName).objects.set(name, updated)
    return updated
  }

  delete(bucketName: string, name: string, query: URLSearchParams): void {
    const object = this.object(bucketName, name, query.get('generation'))
    this.checkPreconditions(object, query)
    this.bucket(bucketName).objects.delete(name)
  }

  /**
   * One page of a listing. Names containing the delimiter after the prefix collapse into `prefixes`;
   * objects and prefixes share one ordered sequence and both count towards `maxResults`, as in GCS.
   * The page token is the last entry of the page, so a listing survives concurrent writes.
   */
  list(bucketName: string, params: ListParams): { items: StoredObject[]; prefixes: string[]; nextPageToken?: string } {
    const bucket = this.bucket(bucketName)
    const entries = new Map<string, StoredObject | undefined>()
    for (const object of bucket.objects.values()) {
      if (!object.name.startsWith(params.prefix)) continue
      if (params.startOffset && compareNames(object.name, params.startOffset) < 0) continue
      if (params.endOffset && compareNames(object.name, params.endOffset) >= 0) continue
      const at = params.delimiter ? object.name.indexOf(params.delimiter, params.prefix.length) : -1
      if (at === -1) entries.set(object.name, object)
      else entries.set(object.name.slice(0, at + params.delimiter.length), undefined)
    }
    const after = params.pageToken ? Buffer.from(params.pageToken, 'base64url').toString('utf8') : undefined
    const ordered = [...entries.keys()]
      .filter((key) => after === undefined || compareNames(key, after) > 0)
      .sort(compareNames)
    const page = ordered.slice(0, params.maxResults)
    const items: StoredObject[] = []
    const prefixes: string[] = []
    for (const key of page) {
      const object = entries.get(key)
      if (object) items.push(object)
      else prefixes.push(key)
    }
    const last = page.at(-1)
    const nextPageToken = ordered.length > page.length && last ? Buffer.from(last).toString('base64url') : undefined
    return { items, prefixes, nextPageToken }
  }

  private nextGeneration(now: Date): number {
    this.lastGeneration = Math.max(now.getTime() * 1000, this.lastGeneration + 1)
    return this.lastGeneration
  }
}

function pick(fields: ObjectFields): ObjectFields {
  const out: ObjectFields = {}
  for (const field of STRING_FIELDS) if (fields[field] !== undefined) out[field] = fields[field]
  if (fields.metadata) out.metadata = { ...fields.metadata }
  return out
}

/** The JSON resource GCS returns for an object; int64 fields are strings, as in the real API. */
export function objectResource(object: StoredObject, baseUrl: string): Record<string, unknown> {
  const path = `b/${encodeURIComponent(object.bucket)}/o/${encodeURIComponent(object.name)}`
  return {
    kind: 'storage#object',
    id: `${object.bucket}/${object.name}/${object.generation}`,
    selfLink: `${baseUrl}/storage/v1/${path}`,
    mediaLink: `${baseUrl}/download/storage/v1/${path}?generation=${object.generation}&alt=media`,
    name: object.name,
    bucket: object.bucket,
    generation: String(object.generation),
    metageneration: String(object.metageneration),
    contentType: object.contentType,
    ...(object.contentEncoding === undefined ? {} : { contentEncoding: object.contentEncoding }),
    ...(object.contentDisposition === undefined ? {} : { contentDisposition: object.contentDisposition }),
    ...(object.contentLanguage === undefined ? {} : { contentLanguage: object.contentLanguage }),
    ...(object.cacheControl === undefined ? {} : { cacheControl: object.cacheControl }),
    storageClass: 'STANDARD',
    size: String(object.data.length),
    md5Hash: object.md5Hash,
    crc32c: object.crc32c,
    etag: etag(object),
    timeCreated: object.timeCreated.toISOString(),
    updated: object.updated.toISOString(),
    timeStorageClassUpdated: object.timeCreated.toISOString(),
    ...(object.metadata === undefined ? {} : { metadata: { ...object.metadata } }),
  }
}

export function etag(object: StoredObject): string {
  return Buffer.from(`${object.generation}/${object.metageneration}`).toString('base64')
}

export function bucketResource(bucket: { name: string; timeCreated: Date }, baseUrl: string): Record<string, unknown> {
  return {
    kind: 'storage#bucket',
    id: bucket.name,
    selfLink: `${baseUrl}/storage/v1/b/${encodeURIComponent(bucket.name)}`,
    name: bucket.name,
    projectNumber: '0',
    metageneration: '1',
    location: 'US',
    locationType: 'multi-region',
    storageClass: 'STANDARD',
    etag: 'CAE=',
    timeCreated: bucket.timeCreated.toISOString(),
    updated: bucket.timeCreated.toISOString(),
  }
}
