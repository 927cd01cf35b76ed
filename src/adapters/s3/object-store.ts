import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3'
import { type ErrorCode, FerryError } from '../../errors.js'
import type { ByteRange, ListOptions, ObjectInfo, ObjectStore, PutOptions } from '../../ports.js'
import { isRetryableAwsError } from '../aws-errors.js'
import { checkRange, missingObject } from '../object-store-errors.js'

export interface S3ObjectStoreConfig {
  region?: string
  /** e.g. moto or LocalStack; when absent or empty the SDK uses AWS_ENDPOINT_URL_S3 / AWS_ENDPOINT_URL, then AWS */
  endpoint?: string
  /** defaults to true when an endpoint is configured (emulators rarely resolve `bucket.host` names) */
  forcePathStyle?: boolean
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }
}

/**
 * ObjectStore on Amazon S3 (or an S3-compatible endpoint). Takes a ready S3Client or the config to
 * build one. S3 lower-cases user metadata keys; `etag` is the ETag without its quotes.
 */
export class S3ObjectStore implements ObjectStore {
  readonly scheme = 's3'
  private readonly client: S3Client

  constructor(clientOrConfig: S3Client | S3ObjectStoreConfig = {}) {
    this.client = clientOrConfig instanceof S3Client ? clientOrConfig : createClient(clientOrConfig)
  }

  async head(bucket: string, key: string): Promise<ObjectInfo | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))
      return {
        bucket,
        key,
        size: out.ContentLength ?? 0,
        etag: unquote(out.ETag),
        versionId: out.VersionId,
        lastModified: out.LastModified,
        metadata: out.Metadata ?? {},
      }
    } catch (err) {
      if (httpStatus(err) === 404) return undefined
      throw s3Error(err, 'FERRY_SOURCE_READ', 'HeadObject', bucket, key)
    }
  }

  async get(bucket: string, key: string, range?: ByteRange): Promise<Uint8Array> {
    if (range) checkRange(range)
    if (range && range.end === range.start) {
      // `bytes=n-(n-1)` is not a valid Range; an empty range only needs the object to exist.
      if (!(await this.head(bucket, key))) throw missing(bucket, key)
      return new Uint8Array()
    }
    try {
      const out = await this.client.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          Range: range ? `bytes=${range.start}-${range.end - 1}` : undefined,
        }),
      )
      if (!out.Body) return new Uint8Array()
      return await out.Body.transformToByteArray()
    } catch (err) {
      const status = httpStatus(err)
      // A range starting at or past the end reads nothing, as slicing would.
      if (range && status === 416) return new Uint8Array()
      if (status === 404) throw missing(bucket, key, err)
      throw s3Error(err, 'FERRY_SOURCE_READ', 'GetObject', bucket, key)
    }
  }

  async put(bucket: string, key: string, body: Uint8Array, options: PutOptions = {}): Promise<ObjectInfo> {
    try {
      const out = await this.client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentLength: body.byteLength,
          ContentType: options.contentType,
          Metadata: options.metadata,
        }),
      )
      return {
        bucket,
        key,
        size: body.byteLength,
        etag: unquote(out.ETag),
        versionId: out.VersionId,
        metadata: lowerCaseKeys(options.metadata ?? {}),
      }
    } catch (err) {
      throw s3Error(err, 'FERRY_SINK_WRITE', 'PutObject', bucket, key)
    }
  }

  async *list(bucket: string, prefix: string, options: ListOptions = {}): AsyncIterable<ObjectInfo> {
    let token: string | undefined
    do {
      let page: ListObjectsV2CommandOutput
      try {
        page = await this.listPage(bucket, prefix, options.pageSize, token)
      } catch (err) {
        throw s3Error(err, 'FERRY_SOURCE_READ', 'ListObjectsV2', bucket, prefix)
      }
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue
        yield {
          bucket,
          key: object.Key,
          size: object.Size ?? 0,
          etag: unquote(object.ETag),
          lastModified: object.LastModified,
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
  }

  async delete(bucket: string, key: string): Promise<void> {
    try {
      // S3 answers 204 for a key that does not exist, which is what the port asks for.
      await this.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))
    } catch (err) {
      throw s3Error(err, 'FERRY_SINK_WRITE', 'DeleteObject', bucket, key)
    }
  }

  private listPage(
    bucket: string,
    prefix: string,
    pageSize: number | undefined,
    token: string | undefined,
  ): Promise<ListObjectsV2CommandOutput> {
    return this.client.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: pageSize, ContinuationToken: token }),
    )
  }
}

function createClient(config: S3ObjectStoreConfig): S3Client {
  const endpoint = config.endpoint || undefined
  // The SDK reads AWS_ENDPOINT_URL(_S3) itself but addresses buckets as `bucket.host` unless the host
  // is an IP address; emulators such as moto on `localhost` or a compose service name need path style.
  const endpointConfigured =
    endpoint !== undefined ||
    Boolean(process.env.AWS_ENDPOINT_URL_S3) ||
    (Boolean(process.env.AWS_ENDPOINT_URL) && process.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS !== 'true')
  return new S3Client({
    region: config.region || undefined,
    endpoint,
    forcePathStyle: config.forcePathStyle ?? endpointConfigured,
    credentials: config.credentials,
  })
}

function httpStatus(err: unknown): number | undefined {
  const status = (err as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode
  return typeof status === 'number' ? status : undefined
}

function unquote(etag: string | undefined): string | undefined {
  return etag?.replace(/^"(.*)"$/, '$1')
}

function lowerCaseKeys(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), v]))
}

function missing(bucket: string, key: string, cause?: unknown): FerryError {
  return missingObject(`s3://${bucket}/${key}`, bucket, key, cause)
}

function s3Error(err: unknown, code: ErrorCode, operation: string, bucket: string, key: string): FerryError {
  const name = err instanceof Error ? err.name : 'Error'
  const detail = err instanceof Error ? err.message : String(err)
  const status = httpStatus(err)
  return new FerryError(code, `S3 ${operation} s3://${bucket}/${key} failed: ${name}: ${detail}`, {
    cause: err,
    retryable: isRetryableAwsError(err),
    context: { bucket, key, operation, ...(status === undefined ? {} : { httpStatus: status }) },
  })
}
