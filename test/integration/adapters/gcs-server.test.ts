import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { type ApiError, type Bucket, CRC32C, IdempotencyStrategy, Storage } from '@google-cloud/storage'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { clearGcsFaults, crc32c, crc32cBase64, getGcsFaults, setGcsFault } from '../../support/gcs-server.js'

const endpoint = inject('endpoints').gcs
const PROJECT = 'ferry-test'
// SDK retries capped at 1s (the lowest `save` accepts), so the fault tests do not sit in long backoffs.
const storage = new Storage({ apiEndpoint: endpoint, projectId: PROJECT, retryOptions: { maxRetryDelay: 1 } })
const noRetry = new Storage({ apiEndpoint: endpoint, projectId: PROJECT, retryOptions: { autoRetry: false } })
const bucketName = `gcs-server-${randomUUID().slice(0, 8)}`
let bucket: Bucket

const md5 = (data: Uint8Array) => createHash('md5').update(data).digest('base64')
const objectUrl = (name: string, path = '/storage/v1') =>
  `${endpoint}${path}/b/${bucketName}/o/${encodeURIComponent(name)}`

/** The failure of an SDK call, with its HTTP status as `code` (resumable uploads fail with a GaxiosError `status`). */
async function apiError(promise: Promise<unknown>): Promise<ApiError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!(err instanceof Error)) throw new Error('expected the call to fail')
  const status = (err as { status?: unknown }).status
  if (typeof (err as ApiError).code !== 'number' && typeof status === 'number') (err as ApiError).code = status
  return err as ApiError
}

/** Counts the requests of one kind without failing them: a fault rule with only `match`. */
async function countRequests<T>(match: string, run: () => Promise<T>): Promise<{ result: T; count: number }> {
  await setGcsFault(endpoint, { bucket: bucketName, match })
  try {
    const result = await run()
    const rule = (await getGcsFaults(endpoint)).find((r) => r.bucket === bucketName)
    return { result, count: rule?.matched ?? 0 }
  } finally {
    await clearGcsFaults(endpoint, bucketName)
  }
}

beforeAll(async () => {
  ;[bucket] = await storage.createBucket(bucketName)
})

afterAll(async () => {
  await clearGcsFaults(endpoint, bucketName)
  await bucket.deleteFiles({ force: true })
  await bucket.delete()
})

describe('CRC32C', () => {
  it('matches the standard check value and the SDK implementation', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283)
    expect(crc32c(new Uint8Array())).toBe(0)
    const data = randomBytes(100_003)
    const sdk = new CRC32C()
    sdk.update(data)
    expect(crc32cBase64(data)).toBe(sdk.toString())
    expect(crc32c(data.subarray(500), crc32c(data.subarray(0, 500)))).toBe(crc32c(data))
  })
})

describe('buckets', () => {
  it('gets an existing bucket, 409s a duplicate and 404s a missing one', async () => {
    const [exists] = await bucket.exists()
    expect(exists).toBe(true)
    const [metadata] = await bucket.getMetadata()
    expect(metadata).toMatchObject({ kind: 'storage#bucket', name: bucketName })
    expect(await apiError(storage.createBucket(bucketName))).toMatchObject({ code: 409 })
    expect((await storage.bucket(`missing-${randomUUID().slice(0, 8)}`).exists())[0]).toBe(false)
  })
})

describe('uploads and downloads', () => {
  it('multipart upload (resumable: false) stores data, content type and custom metadata', async () => {
    const data = randomBytes(10_000)
    const file = bucket.file('multipart/object.bin')
    const { count } = await countRequests('uploadType=multipart', () =>
      file.save(data, {
        resumable: false,
        validation: 'crc32c',
        metadata: { contentType: 'application/x-test', metadata: { dataset: 'orders', night: '2024-05-01' } },
      }),
    )
    expect(count).toBe(1)
    const [metadata] = await file.getMetadata()
    expect(metadata).toMatchObject({
      kind: 'storage#object',
      name: 'multipart/object.bin',
      bucket: bucketName,
      contentType: 'application/x-test',
      size: '10000',
      md5Hash: md5(data),
      crc32c: crc32cBase64(data),
      metageneration: '1',
      metadata: { dataset: 'orders', night: '2024-05-01' },
    })
    expect(metadata.generation).toMatch(/^\d+$/)
    expect(typeof metadata.etag).toBe('string')
    expect(Number.isNaN(Date.parse(String(metadata.updated)))).toBe(false)
    expect(Number.isNaN(Date.parse(String(metadata.timeCreated)))).toBe(false)
    const [downloaded] = await file.download({ validation: 'md5' })
    expect(downloaded.equals(data)).toBe(true)
  })

  it('resumable upload sends a body larger than the chunk size in several chunks', async () => {
    const data = randomBytes(700 * 1024)
    const file = bucket.file('resumable/chunked.bin')
    const { count } = await countRequests('upload_id=', () =>
      file.save(data, {
        resumable: true,
        chunkSize: 256 * 1024,
        validation: 'crc32c',
        metadata: { contentType: 'a/b' },
      }),
    )
    expect(count).toBe(3)
    const [metadata] = await file.getMetadata()
    expect(metadata).toMatchObject({ size: String(data.length), crc32c: crc32cBase64(data), contentType: 'a/b' })
    const [downloaded] = await file.download({ validation: 'crc32c' })
    expect(downloaded.equals(data)).toBe(true)
  })

  it('resumable upload resends the bytes a 308 Range says were not persisted', async () => {
    const data = randomBytes(600 * 1024)
    const file = bucket.file('resumable/partial.bin')
    await setGcsFault(endpoint, { bucket: bucketName, partialChunks: 2 })
    try {
      await file.save(data, { resumable: true, chunkSize: 256 * 1024, validation: 'md5' })
      expect((await getGcsFaults(endpoint)).find((r) => r.bucket === bucketName)?.injected).toBe(2)
    } finally {
      await clearGcsFaults(endpoint, bucketName)
    }
    const [downloaded] = await file.download({ validation: 'md5' })
    expect(downloaded.equals(data)).toBe(true)
  })

  it('resumable upload survives a 503 on a chunk: the SDK asks how far it got (bytes */*) and resumes', async () => {
    // RetryAlways: under the default strategy the SDK does not retry uploads without preconditions.
    const retrying = new Storage({
      apiEndpoint: endpoint,
      projectId: PROJECT,
      retryOptions: { maxRetryDelay: 1, idempotencyStrategy: IdempotencyStrategy.RetryAlways },
    })
    const data = randomBytes(600 * 1024)
    const file = retrying.bucket(bucketName).file('resumable/retried.bin')
    await setGcsFault(endpoint, { bucket: bucketName, match: 'upload_id=', failNext: 1, status: 503 })
    try {
      await file.save(data, { resumable: true, chunkSize: 256 * 1024, validation: 'crc32c' })
      expect((await getGcsFaults(endpoint)).find((r) => r.bucket === bucketName)?.injected).toBe(1)
    } finally {
      await clearGcsFaults(endpoint, bucketName)
    }
    expect((await bucket.file('resumable/retried.bin').download())[0].equals(data)).toBe(true)
  })

  it('resumable upload in a single request (no chunk size), and an empty object', async () => {
    const data = randomBytes(300 * 1024)
    await bucket.file('resumable/single.bin').save(data, { resumable: true, validation: 'crc32c' })
    expect((await bucket.file('resumable/single.bin').download())[0].equals(data)).toBe(true)
    await bucket.file('resumable/empty.bin').save(Buffer.alloc(0), { resumable: true })
    const [empty] = await bucket.file('resumable/empty.bin').getMetadata()
    expect(empty).toMatchObject({ size: '0', crc32c: 'AAAAAA==', md5Hash: md5(new Uint8Array()) })
  })

  it('media download carries x-goog-hash and x-goog-generation; the SDK validates both hashes', async () => {
    const data = randomBytes(50_000)
    const file = bucket.file('download/hashes.bin')
    await file.save(data, { resumable: false })
    const [metadata] = await file.getMetadata()
    const res = await fetch(`${objectUrl('download/hashes.bin')}?alt=media`)
    expect(res.status).toBe(200)
    expect(res.headers.get('x-goog-hash')).toBe(`crc32c=${crc32cBase64(data)},md5=${md5(data)}`)
    expect(res.headers.get('x-goog-generation')).toBe(metadata.generation)
    expect(Buffer.from(await res.arrayBuffer()).equals(data)).toBe(true)
    for (const validation of ['md5', 'crc32c'] as const) {
      expect((await file.download({ validation }))[0].equals(data)).toBe(true)
    }
  })

  it('range download answers 206 with Content-Range, and 416 past the end', async () => {
    const data = randomBytes(1000)
    const file = bucket.file('download/range.bin')
    await file.save(data, { resumable: false })
    const [slice] = await file.download({ start: 100, end: 199 })
    expect(slice.equals(data.subarray(100, 200))).toBe(true)
    const res = await fetch(`${objectUrl('download/range.bin')}?alt=media`, { headers: { Range: 'bytes=990-2000' } })
    expect(res.status).toBe(206)
    expect(res.headers.get('content-range')).toBe('bytes 990-999/1000')
    expect(Buffer.from(await res.arrayBuffer()).equals(data.subarray(990))).toBe(true)
    const suffix = await fetch(`${objectUrl('download/range.bin')}?alt=media`, { headers: { Range: 'bytes=-5' } })
    expect(Buffer.from(await suffix.arrayBuffer()).equals(data.subarray(995))).toBe(true)
    expect(await apiError(file.download({ start: 1000, end: 1005 }))).toMatchObject({ code: 416 })
  })
})

describe('names, listing and delete', () => {
  const special = ['names/a b+c%20d%2Fe.txt', 'names/ünï cødé/日本語/😀.bin', 'names/q?h#a&b=c;d@e.txt']

  it('names with /, spaces, +, %, unicode, ? and # round trip through the SDK and raw URLs', async () => {
    for (const name of special) {
      await bucket.file(name).save(Buffer.from(name), { resumable: false })
      expect((await bucket.file(name).download())[0].toString()).toBe(name)
      const res = await fetch(objectUrl(name))
      expect(((await res.json()) as { name: string }).name).toBe(name)
    }
    await bucket.file(special[0]!).save(Buffer.from('resumable'), { resumable: true })
    expect((await bucket.file(special[0]!).download())[0].toString()).toBe('resumable')
    const [files] = await bucket.getFiles({ prefix: 'names/' })
    expect(files.map((f) => f.name).sort()).toEqual([...special].sort())
  })

  it('serves the emulator-style paths the SDK uses with STORAGE_EMULATOR_HOST', async () => {
    const saved = process.env.STORAGE_EMULATOR_HOST
    process.env.STORAGE_EMULATOR_HOST = endpoint
    let viaEnv: Storage
    try {
      viaEnv = new Storage({ projectId: PROJECT })
    } finally {
      if (saved === undefined) delete process.env.STORAGE_EMULATOR_HOST
      else process.env.STORAGE_EMULATOR_HOST = saved
    }
    const file = viaEnv.bucket(bucketName).file('emulator/env.txt')
    const { count } = await countRequests(`GET /b/${bucketName}/o/`, async () => {
      await file.save(Buffer.from('via env'), { resumable: false })
      return file.download()
    })
    expect(count).toBeGreaterThan(0)
    expect((await fetch(objectUrl('emulator/env.txt', ''))).status).toBe(200)
  })

  it('lists by prefix in name order across pages, and folds names into prefixes with a delimiter', async () => {
    const names = Array.from({ length: 25 }, (_, i) => `list/item-${String(i).padStart(2, '0')}`)
    await Promise.all([...names, 'list-other/x', 'list/sub/deeper/y', 'list/sub/z'].map((n) => bucket.file(n).save(n)))
    const seen: string[] = []
    let pages = 0
    let query: { pageToken?: string } | undefined = {}
    while (query) {
      const [files, next]: [Array<{ name: string }>, { pageToken?: string } | null, unknown] = await bucket.getFiles({
        prefix: 'list/item-',
        maxResults: 10,
        autoPaginate: false,
        ...query,
      })
      pages++
      seen.push(...files.map((f) => f.name))
      query = next ?? undefined
    }
    expect(pages).toBe(3)
    expect(seen).toEqual(names)
    const [, , response] = await bucket.getFiles({ prefix: 'list/', delimiter: '/', autoPaginate: false })
    const listing = response as { items: Array<{ name: string }>; prefixes: string[] }
    expect(listing.prefixes).toEqual(['list/sub/'])
    expect(listing.items.map((i) => i.name)).toEqual(names)
    const [none] = await bucket.getFiles({ prefix: 'nothing-here/' })
    expect(none).toEqual([])
  })

  it('deletes objects; a missing object is a 404 with a GCS error body', async () => {
    const file = bucket.file('delete/me.txt')
    await file.save('x')
    await file.delete()
    expect((await file.exists())[0]).toBe(false)
    expect(await apiError(file.delete())).toMatchObject({ code: 404 })
    await file.delete({ ignoreNotFound: true })
    const res = await fetch(objectUrl('delete/me.txt'))
    expect(res.status).toBe(404)
    expect(await res.json()).toEqual({
      error: {
        code: 404,
        message: `No such object: ${bucketName}/delete/me.txt`,
        errors: [{ message: `No such object: ${bucketName}/delete/me.txt`, domain: 'global', reason: 'notFound' }],
      },
    })
  })
})

describe('preconditions', () => {
  it('ifGenerationMatch=0 creates only when absent; a stale generation fails with 412', async () => {
    const file = bucket.file('pre/generation.txt')
    await file.save('one', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } })
    const [first] = await file.getMetadata()
    const again = await apiError(file.save('two', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } }))
    expect(again).toMatchObject({ code: 412 })
    const resumable = await apiError(file.save('two', { resumable: true, preconditionOpts: { ifGenerationMatch: 0 } }))
    expect(resumable).toMatchObject({ code: 412 })
    await file.save('two', { resumable: false, preconditionOpts: { ifGenerationMatch: Number(first.generation) } })
    const [second] = await file.getMetadata()
    expect(BigInt(second.generation!)).toBeGreaterThan(BigInt(first.generation!))
    const stale = await apiError(
      file.save('three', { resumable: false, preconditionOpts: { ifGenerationMatch: Number(first.generation) } }),
    )
    expect(stale).toMatchObject({ code: 412 })
    expect((await file.download())[0].toString()).toBe('two')
    const notMatch = await apiError(file.delete({ ifGenerationNotMatch: Number(second.generation) }))
    expect(notMatch).toMatchObject({ code: 412 })
  })

  it('ifMetagenerationMatch guards metadata updates', async () => {
    const file = bucket.file('pre/metageneration.txt')
    await file.save('x', { resumable: false, metadata: { metadata: { a: '1' } } })
    const [updated] = await file.setMetadata({ metadata: { b: '2' } }, { ifMetagenerationMatch: 1 })
    expect(updated).toMatchObject({ metageneration: '2', metadata: { a: '1', b: '2' } })
    expect(await apiError(file.setMetadata({ metadata: { c: '3' } }, { ifMetagenerationMatch: 1 }))).toMatchObject({
      code: 412,
    })
  })
})

describe('fault injection', () => {
  it('injected 503s are answered with GCS error JSON and retried by the SDK', async () => {
    await bucket.file('faults/retried.txt').save('survives')
    // A fresh client: File#save without preconditions switches off autoRetry on its Storage for good
    // (SDK 7.x behaviour under the default RetryConditional strategy).
    const retrying = new Storage({ apiEndpoint: endpoint, projectId: PROJECT, retryOptions: { maxRetryDelay: 1 } })
    await setGcsFault(endpoint, { bucket: bucketName, failNext: 2, status: 503 })
    try {
      // a JSON call, not a download: the SDK's own download retries crash Node 24 (see the adapter's
      // `download`, which retries them itself)
      expect((await retrying.bucket(bucketName).file('faults/retried.txt').getMetadata())[0].size).toBe('8')
      expect((await getGcsFaults(endpoint)).find((r) => r.bucket === bucketName)?.injected).toBe(2)
      await setGcsFault(endpoint, { bucket: bucketName, failRate: 1, status: 503 })
      const err = await apiError(noRetry.bucket(bucketName).file('faults/retried.txt').download())
      expect(err).toMatchObject({ code: 503 })
      const res = await fetch(objectUrl('faults/retried.txt'))
      expect(res.status).toBe(503)
      expect(await res.json()).toMatchObject({ error: { code: 503, errors: [{ reason: 'backendError' }] } })
    } finally {
      await clearGcsFaults(endpoint, bucketName)
    }
  })

  it('scopes faults to one bucket and to matching requests', async () => {
    const other = `gcs-server-other-${randomUUID().slice(0, 8)}`
    const [otherBucket] = await storage.createBucket(other)
    await setGcsFault(endpoint, { bucket: other, failRate: 1, status: 500, match: 'alt=media' })
    try {
      await otherBucket.file('x').save('x')
      expect(await apiError(noRetry.bucket(other).file('x').download())).toMatchObject({ code: 500 })
      expect((await noRetry.bucket(other).file('x').getMetadata())[0].size).toBe('1')
      await bucket.file('faults/unaffected.txt').save('fine')
      expect((await noRetry.bucket(bucketName).file('faults/unaffected.txt').download())[0].toString()).toBe('fine')
    } finally {
      await clearGcsFaults(endpoint, other)
      await otherBucket.deleteFiles({ force: true })
      await otherBucket.delete()
    }
  })

  it('adds latency: a client whose timeout is shorter than the delay gives up, a patient one succeeds', async () => {
    await bucket.file('faults/slow.txt').save('slow')
    await setGcsFault(endpoint, { bucket: bucketName, latencyMs: 500 })
    try {
      const impatient = fetch(objectUrl('faults/slow.txt'), { signal: AbortSignal.timeout(50) })
      await expect(impatient).rejects.toMatchObject({ name: 'TimeoutError' })
      expect((await bucket.file('faults/slow.txt').download())[0].toString()).toBe('slow')
      expect((await getGcsFaults(endpoint)).find((r) => r.bucket === bucketName)?.matched).toBeGreaterThanOrEqual(2)
    } finally {
      await clearGcsFaults(endpoint, bucketName)
    }
  })

  it('corrupts a download in transit; the SDK hash validation catches it', async () => {
    await bucket.file('faults/corrupt.bin').save(randomBytes(4096), { resumable: false })
    await setGcsFault(endpoint, { bucket: bucketName, corruptNext: 1 })
    try {
      const err = await apiError(
        noRetry.bucket(bucketName).file('faults/corrupt.bin').download({ validation: 'crc32c' }),
      )
      expect(err).toMatchObject({ code: 'CONTENT_DOWNLOAD_MISMATCH' })
      await noRetry.bucket(bucketName).file('faults/corrupt.bin').download({ validation: 'md5' })
    } finally {
      await clearGcsFaults(endpoint, bucketName)
    }
  })

  it('drops connections with reset: true', async () => {
    await bucket.file('faults/reset.txt').save('reset')
    await setGcsFault(endpoint, { bucket: bucketName, failNext: 1, reset: true })
    try {
      await expect(fetch(objectUrl('faults/reset.txt'))).rejects.toThrow(TypeError)
      expect((await fetch(objectUrl('faults/reset.txt'))).status).toBe(200)
    } finally {
      await clearGcsFaults(endpoint, bucketName)
    }
  })

  it('rejects unknown or invalid fault fields', async () => {
    for (const body of [{ failnext: 1 }, { failRate: 2 }, { status: 200 }, { latencyMs: -1 }]) {
      const res = await fetch(`${endpoint}/_fault`, { method: 'POST', body: JSON.stringify(body) })
      expect(res.status).toBe(400)
    }
  })
})
