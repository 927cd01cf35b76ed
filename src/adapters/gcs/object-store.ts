import {
  type File,
  type FileMetadata,
  type GetFilesOptions,
  IdempotencyStrategy,
  Storage,
  type StorageOptions,
} from '@google-cloud/storage'
import { type ErrorCode, FerryError, isFerryError, isProgrammerError } from '../../errors.js'
import type { ByteRange, ListOptions, ObjectInfo, ObjectStore, PutOptions } from '../../ports.js'
import { NETWORK_ERROR_CODES } from '../network-errors.js'
import { checkRange, missingObject } from '../object-store-errors.js'

export interface GcsObjectStoreConfig {
  projectId?: string
  /**
   * e.g. `http://127.0.0.1:4443` (the GCS test server, fake-gcs-server); include the scheme, the SDK
   * assumes https. When absent or empty the SDK honours STORAGE_EMULATOR_HOST (also a full URL), then
   * uses storage.googleapis.com. Against a custom endpoint the SDK sends no Google credentials.
   */
  apiEndpoint?: string
}

export interface GcsObjectStoreOptions {
  /** bodies larger than this use a resumable upload, smaller ones one multipart request (default 8 MiB) */
  resumableThreshold?: number
}

const DEFAULT_RESUMABLE_THRESHOLD = 8 * 1024 * 1024

/**
 * ObjectStore on Google Cloud Storage. Takes a ready Storage or the config to build one. `etag` is the
 * object's md5Hash (base64), `versionId` its generation; uploads are checked against CRC32C.
 */
export class GcsObjectStore implements ObjectStore {
  readonly scheme = 'gs'
  private readonly storage: Storage
  /** The same service without SDK retries, for downloads: see `download`. */
  private readonly downloads: Storage
  private readonly resumableThreshold: number

  constructor(storageOrConfig: Storage | GcsObjectStoreConfig = {}, options: GcsObjectStoreOptions = {}) {
    this.storage = storageOrConfig instanceof Storage ? storageOrConfig : createStorage(storageOrConfig)
    this.downloads = new Storage({
      apiEndpoint: this.storage.apiEndpoint,
      projectId: this.storage.projectId,
      // the GoogleAuth this very SDK made: its generic parameter is all that differs
      authClient: this.storage.authClient as StorageOptions['authClient'],
      useAuthWithCustomEndpoint: this.storage.useAuthWithCustomEndpoint ?? false,
      retryOptions: { autoRetry: false },
    })
    this.resumableThreshold = options.resumableThreshold ?? DEFAULT_RESUMABLE_THRESHOLD
  }

  async head(bucket: string, key: string): Promise<ObjectInfo | undefined> {
    try {
      const [metadata] = await this.storage.bucket(bucket).file(key).getMetadata()
      return toInfo(bucket, key, metadata)
    } catch (err) {
      if (httpStatus(err) === 404) return undefined
      throw gcsError(err, 'FERRY_SOURCE_READ', 'get metadata', bucket, key)
    }
  }

  async get(bucket: string, key: string, range?: ByteRange): Promise<Uint8Array> {
    if (range) checkRange(range)
    if (range && range.end === range.start) {
      // An empty range is not expressible as a Range header; it only needs the object to exist.
      if (!(await this.head(bucket, key))) throw missing(bucket, key)
      return new Uint8Array()
    }
    try {
      const data = await this.download(bucket, key, range)
      return new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
    } catch (err) {
      const status = httpStatus(err)
      // A range starting at or past the end reads nothing, as slicing would.
      if (range && status === 416) return new Uint8Array()
      if (status === 404) throw missing(bucket, key, err)
      throw gcsError(err, 'FERRY_SOURCE_READ', 'download', bucket, key)
    }
  }

  /**
   * A download, retried here with the Storage's own retry settings rather than by the SDK: its stream
   * retries (retry-request over teeny-request) destroy the first response's stream and then pipe into
   * it, which Node 24 answers with ERR_STREAM_UNABLE_TO_PIPE as an unhandled rejection: a crash of
   * the whole process on any retried 5xx or reset.
   */
  private async download(bucket: string, key: string, range: ByteRange | undefined): Promise<Buffer> {
    const file = this.downloads.bucket(bucket).file(key)
    const options = range ? { start: range.start, end: range.end - 1 } : {}
    const retry = this.storage.retryOptions
    const retries = retry.autoRetry === false ? 0 : (retry.maxRetries ?? 3)
    for (let attempt = 0; ; attempt++) {
      try {
        return (await file.download(options))[0]
      } catch (err) {
        if (attempt >= retries || !isRetryable(err)) throw err
        // the SDK's backoff: multiplier^n seconds plus up to a second of jitter, capped
        const seconds = Math.min((retry.retryDelayMultiplier ?? 2) ** (attempt + 1), retry.maxRetryDelay ?? 64)
        await new Promise((resolve) => setTimeout(resolve, seconds * 1000 + Math.random() * 1000))
      }
    }
  }

  async put(bucket: string, key: string, body: Uint8Array, options: PutOptions = {}): Promise<ObjectInfo> {
    const file = this.storage.bucket(bucket).file(key)
    try {
      await file.save(Buffer.from(body.buffer, body.byteOffset, body.byteLength), {
        resumable: body.byteLength > this.resumableThreshold,
        validation: 'crc32c',
        metadata: { contentType: options.contentType, metadata: options.metadata },
      })
    } catch (err) {
      throw gcsError(err, 'FERRY_SINK_WRITE', 'upload', bucket, key)
    }
    return toInfo(bucket, key, file.metadata)
  }

  async *list(bucket: string, prefix: string, options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    let query: GetFilesOptions | undefined = { prefix, maxResults: options.pageSize ?? 1000, autoPaginate: false }
    while (query) {
      let files: File[]
      let next: Partial<GetFilesOptions> | null
      try {
        ;[files, next] = await this.storage.bucket(bucket).getFiles(query)
      } catch (err) {
        throw gcsError(err, 'FERRY_SOURCE_READ', 'list', bucket, prefix)
      }
      for (const file of files) yield toInfo(bucket, file.name, file.metadata)
      query = next?.pageToken ? { ...query, pageToken: next.pageToken } : undefined
    }
  }

  async delete(bucket: string, key: string): Promise<void> {
    try {
      await this.storage.bucket(bucket).file(key).delete({ ignoreNotFound: true })
    } catch (err) {
      throw gcsError(err, 'FERRY_SINK_WRITE', 'delete', bucket, key)
    }
  }
}

function createStorage(config: GcsObjectStoreConfig): Storage {
  return new Storage({
    projectId: config.projectId || undefined,
    apiEndpoint: config.apiEndpoint || undefined,
    // Explicit even though it is the SDK default: never look for Google credentials for an emulator.
    useAuthWithCustomEndpoint: false,
    // Ferry's writes are idempotent (same key, same bytes), so SDK retries are safe for them too. Under
    // the default RetryConditional, File#save without preconditions also switches `autoRetry` off on the
    // shared Storage for every later call (SDK 7.x).
    retryOptions: { idempotencyStrategy: IdempotencyStrategy.RetryAlways },
  })
}

function toInfo(bucket: string, key: string, metadata: FileMetadata): ObjectInfo {
  const custom: Record<string, string> = {}
  for (const [name, value] of Object.entries(metadata.metadata ?? {})) {
    if (value !== null && value !== undefined) custom[name] = String(value)
  }
  return {
    bucket,
    key,
    size: Number(metadata.size ?? 0),
    etag: metadata.md5Hash,
    versionId: metadata.generation === undefined ? undefined : String(metadata.generation),
    lastModified: metadata.updated ? new Date(metadata.updated) : undefined,
    metadata: custom,
  }
}

/** The HTTP status of an SDK failure: ApiError `code`, or a GaxiosError's `status` (resumable uploads). */
function httpStatus(err: unknown): number | undefined {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    code?: unknown
    status?: unknown
    response?: { status?: unknown }
  }
  if (typeof e.code === 'number') return e.code
  if (typeof e.status === 'number') return e.status
  if (typeof e.response?.status === 'number') return e.response.status
  return undefined
}

const TRANSIENT_CODES = new Set([
  ...NETWORK_ERROR_CODES,
  'ERR_STREAM_PREMATURE_CLOSE',
  // The SDK's checksum mismatches: the bytes were damaged in transit, a new transfer can succeed.
  'CONTENT_DOWNLOAD_MISMATCH',
  'FILE_NO_UPLOAD',
  'FILE_NO_UPLOAD_DELETE',
])

/**
 * Throttling, timeouts, server errors, network failures and checksum mismatches can pass on a retry;
 * other 4xx answers, missing credentials and programmer errors cannot.
 */
function isRetryable(err: unknown): boolean {
  if (isFerryError(err)) return err.retryable
  if (isProgrammerError(err)) return false
  const status = httpStatus(err)
  if (status !== undefined) return status === 408 || status === 429 || status >= 500
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && TRANSIENT_CODES.has(code)
}

function missing(bucket: string, key: string, cause?: unknown): FerryError {
  return missingObject(`gs://${bucket}/${key}`, bucket, key, cause)
}

function gcsError(err: unknown, code: ErrorCode, operation: string, bucket: string, key: string): FerryError {
  const detail = err instanceof Error ? err.message : String(err)
  const status = httpStatus(err)
  return new FerryError(code, `GCS ${operation} gs://${bucket}/${key} failed: ${detail}`, {
    cause: err,
    retryable: isRetryable(err),
    context: { bucket, key, operation, ...(status === undefined ? {} : { httpStatus: status }) },
  })
}
