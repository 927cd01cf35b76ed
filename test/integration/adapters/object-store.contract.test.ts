import { randomBytes, randomUUID } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3'
import { Storage } from '@google-cloud/storage'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { GcsObjectStore } from '../../../src/adapters/gcs/object-store.js'
import { LocalObjectStore } from '../../../src/adapters/local/object-store.js'
import { S3ObjectStore } from '../../../src/adapters/s3/object-store.js'
import { FerryError } from '../../../src/errors.js'
import { clearGcsFaults, getGcsFaults, setGcsFault } from '../../support/gcs-server.js'
import { objectStoreContract } from '../../support/object-store-contract.js'
import { freePort } from '../../support/process.js'

const endpoints = inject('endpoints')
const REGION = 'us-east-1'
const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' }
const PROJECT = 'ferry-test'
const unique = (kind: string) => `ferry-contract-${kind}-${randomUUID().slice(0, 8)}`

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail')
    },
    (err: unknown) => err,
  )
}

/** Runs `fn` with some environment variables set, restoring them afterwards. */
async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]))
  Object.assign(process.env, vars)
  try {
    return await fn()
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k]
      else process.env[k] = v
    }
  }
}

const s3Admin = new S3Client({
  endpoint: endpoints.aws,
  region: REGION,
  credentials: CREDENTIALS,
  forcePathStyle: true,
})
const gcsAdmin = new Storage({ apiEndpoint: endpoints.gcs, projectId: PROJECT })

async function emptyS3Bucket(bucket: string): Promise<void> {
  let token: string | undefined
  do {
    const page = await s3Admin.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }))
    for (const o of page.Contents ?? []) await s3Admin.send(new DeleteObjectCommand({ Bucket: bucket, Key: o.Key }))
    token = page.NextContinuationToken
  } while (token)
}

objectStoreContract('S3 on moto', async () => {
  const bucket = unique('s3')
  await s3Admin.send(new CreateBucketCommand({ Bucket: bucket }))
  return {
    // Built from config: path style follows from the explicit endpoint.
    store: new S3ObjectStore({ endpoint: endpoints.aws, region: REGION, credentials: CREDENTIALS }),
    bucket,
    missingBucket: unique('s3-missing'),
    cleanup: async () => {
      await emptyS3Bucket(bucket)
      await s3Admin.send(new DeleteBucketCommand({ Bucket: bucket }))
    },
  }
})

objectStoreContract('GCS on the test server', async () => {
  const bucket = unique('gcs')
  await gcsAdmin.createBucket(bucket)
  return {
    // A low resumable threshold, so the large-object case takes the resumable path.
    store: new GcsObjectStore({ apiEndpoint: endpoints.gcs, projectId: PROJECT }, { resumableThreshold: 256 * 1024 }),
    bucket,
    missingBucket: unique('gcs-missing'),
    cleanup: async () => {
      await gcsAdmin.bucket(bucket).deleteFiles({ force: true })
      await gcsAdmin.bucket(bucket).delete()
    },
  }
})

objectStoreContract('local folders', async () => {
  const root = await mkdtemp(path.join(tmpdir(), 'ferry-contract-'))
  const bucket = 'contract'
  await mkdir(path.join(root, bucket))
  return {
    store: new LocalObjectStore({ root }),
    bucket,
    missingBucket: 'missing',
    cleanup: () => rm(root, { recursive: true, force: true }),
  }
})

describe('S3ObjectStore specifics', () => {
  it('uses AWS_ENDPOINT_URL from the environment with path-style addressing (a localhost endpoint)', async () => {
    const bucket = unique('s3-env')
    await s3Admin.send(new CreateBucketCommand({ Bucket: bucket }))
    const viaLocalhost = endpoints.aws.replace('127.0.0.1', 'localhost')
    try {
      await withEnv({ AWS_ENDPOINT_URL: viaLocalhost }, async () => {
        const store = new S3ObjectStore({ region: REGION, credentials: CREDENTIALS })
        await store.put(bucket, 'env/object.txt', Buffer.from('via env'))
        expect(Buffer.from(await store.get(bucket, 'env/object.txt')).toString()).toBe('via env')
      })
    } finally {
      await emptyS3Bucket(bucket)
      await s3Admin.send(new DeleteBucketCommand({ Bucket: bucket }))
    }
  })

  it('a connection failure is retryable and keeps its cause', async () => {
    const port = await freePort()
    const client = new S3Client({
      endpoint: `http://127.0.0.1:${port}`,
      region: REGION,
      credentials: CREDENTIALS,
      forcePathStyle: true,
      maxAttempts: 1,
    })
    const err = await failure(new S3ObjectStore(client).get('bucket', 'key'))
    expect(err).toBeInstanceOf(FerryError)
    expect(err).toMatchObject({ code: 'FERRY_SOURCE_READ', retryable: true, context: { bucket: 'bucket', key: 'key' } })
    expect((err as FerryError).cause).toBeDefined()
  })

  it('a 503 SlowDown is retryable; 403 AccessDenied is not', async () => {
    let status = 503
    const server = createServer((req, res) => {
      req.resume()
      const code = status === 503 ? 'SlowDown' : 'AccessDenied'
      res.writeHead(status, { 'content-type': 'application/xml' })
      res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>no</Message></Error>`)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as AddressInfo
      const store = new S3ObjectStore(
        new S3Client({
          endpoint: `http://127.0.0.1:${port}`,
          region: REGION,
          credentials: CREDENTIALS,
          forcePathStyle: true,
          maxAttempts: 1,
        }),
      )
      const slow = await failure(store.put('bucket', 'key', Buffer.from('x')))
      expect(slow).toMatchObject({ code: 'FERRY_SINK_WRITE', retryable: true, context: { httpStatus: 503 } })
      expect((slow as FerryError).cause).toBeDefined()
      status = 403
      const denied = await failure(store.get('bucket', 'key'))
      expect(denied).toMatchObject({ code: 'FERRY_SOURCE_READ', retryable: false, context: { httpStatus: 403 } })
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })
})

describe('GcsObjectStore specifics', () => {
  const bucket = unique('gcs-specific')
  beforeAll(async () => {
    await gcsAdmin.createBucket(bucket)
  })
  afterAll(async () => {
    await clearGcsFaults(endpoints.gcs, bucket)
    await gcsAdmin.bucket(bucket).deleteFiles({ force: true })
    await gcsAdmin.bucket(bucket).delete()
  })

  it('needs no Google credentials against an emulator, and honours STORAGE_EMULATOR_HOST', async () => {
    // Any credential lookup would fail on the missing key file or the unreachable metadata server.
    const env = {
      STORAGE_EMULATOR_HOST: endpoints.gcs,
      GOOGLE_APPLICATION_CREDENTIALS: '/nonexistent/ferry-credentials.json',
      GCE_METADATA_HOST: '127.0.0.1:1',
      GCE_METADATA_IP: '127.0.0.1:1',
    }
    await withEnv(env, async () => {
      const store = new GcsObjectStore({ projectId: PROJECT }, { resumableThreshold: 1024 })
      const small = Buffer.from('small')
      const large = randomBytes(300 * 1024)
      await store.put(bucket, 'creds/small.txt', small, { metadata: { a: '1' } })
      await store.put(bucket, 'creds/large.bin', large)
      expect(Buffer.from(await store.get(bucket, 'creds/large.bin')).equals(large)).toBe(true)
      expect(await store.head(bucket, 'creds/small.txt')).toMatchObject({ size: 5, metadata: { a: '1' } })
      const keys: string[] = []
      for await (const info of store.list(bucket, 'creds/')) keys.push(info.key)
      expect(keys).toEqual(['creds/large.bin', 'creds/small.txt'])
      await store.delete(bucket, 'creds/small.txt')
    })
  })

  it('reports generation as versionId and md5Hash as etag', async () => {
    const store = new GcsObjectStore({ apiEndpoint: endpoints.gcs, projectId: PROJECT })
    const put = await store.put(bucket, 'info/object.txt', Buffer.from('abc'))
    const [metadata] = await gcsAdmin.bucket(bucket).file('info/object.txt').getMetadata()
    expect(put).toMatchObject({ etag: metadata.md5Hash, versionId: String(metadata.generation), size: 3 })
  })

  it('an injected 503 is retryable with its cause; a 403 is not', async () => {
    const noRetry = new Storage({ apiEndpoint: endpoints.gcs, projectId: PROJECT, retryOptions: { autoRetry: false } })
    const store = new GcsObjectStore(noRetry)
    await store.put(bucket, 'faults/object.txt', Buffer.from('x'))
    try {
      await setGcsFault(endpoints.gcs, { bucket, failRate: 1, status: 503 })
      const read = await failure(store.get(bucket, 'faults/object.txt'))
      expect(read).toMatchObject({ code: 'FERRY_SOURCE_READ', retryable: true, context: { httpStatus: 503 } })
      expect((read as FerryError).cause).toBeDefined()
      const write = await failure(store.put(bucket, 'faults/object.txt', Buffer.from('y')))
      expect(write).toMatchObject({ code: 'FERRY_SINK_WRITE', retryable: true })
      await setGcsFault(endpoints.gcs, { bucket, failRate: 1, status: 403 })
      expect(await failure(store.head(bucket, 'faults/object.txt'))).toMatchObject({
        code: 'FERRY_SOURCE_READ',
        retryable: false,
        context: { httpStatus: 403 },
      })
      await setGcsFault(endpoints.gcs, { bucket, failNext: 1, reset: true })
      expect(await failure(store.get(bucket, 'faults/object.txt'))).toMatchObject({ retryable: true })
      await setGcsFault(endpoints.gcs, { bucket, corruptNext: 1 })
      const corrupted = await failure(store.get(bucket, 'faults/object.txt'))
      expect(corrupted).toMatchObject({ code: 'FERRY_SOURCE_READ', retryable: true })
      expect((corrupted as FerryError).cause).toMatchObject({ code: 'CONTENT_DOWNLOAD_MISMATCH' })
    } finally {
      await clearGcsFaults(endpoints.gcs, bucket)
    }
  })

  it('retries a download after a 503 and a reset, also after a put (File#save would switch SDK retries off)', async () => {
    const store = new GcsObjectStore({ apiEndpoint: endpoints.gcs, projectId: PROJECT })
    await store.put(bucket, 'retry/object.txt', Buffer.from('retried'))
    await setGcsFault(endpoints.gcs, { bucket, failNext: 1, status: 503 })
    try {
      expect(Buffer.from(await store.get(bucket, 'retry/object.txt')).toString()).toBe('retried')
      expect((await getGcsFaults(endpoints.gcs)).find((r) => r.bucket === bucket)?.injected).toBe(1)
      await setGcsFault(endpoints.gcs, { bucket, failNext: 1, reset: true })
      expect(Buffer.from(await store.get(bucket, 'retry/object.txt', { start: 2, end: 5 })).toString()).toBe('tri')
    } finally {
      await clearGcsFaults(endpoints.gcs, bucket)
    }
  })
})

describe('LocalObjectStore: paths outside the root are refused', () => {
  let root: string
  let store: LocalObjectStore
  beforeAll(async () => {
    root = path.join(await mkdtemp(path.join(tmpdir(), 'ferry-traversal-')), 'root')
    store = new LocalObjectStore({ root })
  })
  afterAll(async () => {
    await rm(path.dirname(root), { recursive: true, force: true })
  })

  const badKeys = [
    'a/../../etc/passwd',
    '../escape.txt',
    '/etc/passwd',
    'a/./b',
    'a//b',
    'a/',
    '',
    'nul\0byte',
    '..\\x',
  ]
  const badBuckets = ['..', '.', '.meta', '.tmp', 'a/b', '', '/abs', 'nul\0']

  it.each(badKeys)('refuses key %j on every operation', async (key) => {
    for (const call of [
      () => store.put('bucket', key, Buffer.from('x')),
      () => store.get('bucket', key),
      () => store.head('bucket', key),
      () => store.delete('bucket', key),
    ]) {
      const err = await failure(call())
      expect(err).toBeInstanceOf(FerryError)
      expect(err).toMatchObject({ retryable: false, context: { reason: 'unsafe-path' } })
    }
    expect(existsSync(path.join(path.dirname(root), 'escape.txt'))).toBe(false)
  })

  it.each(badBuckets)('refuses bucket %j', async (bucket) => {
    await expect(store.put(bucket, 'key', Buffer.from('x'))).rejects.toBeInstanceOf(FerryError)
    await expect(store.get(bucket, 'key')).rejects.toMatchObject({ context: { reason: 'unsafe-path' } })
  })

  it('refuses a list prefix whose folder part leaves the bucket', async () => {
    const listing = async () => {
      for await (const _ of store.list('bucket', '../other/')) {
        // drain
      }
    }
    await expect(listing()).rejects.toMatchObject({ context: { reason: 'unsafe-path' } })
  })
})
