import { createHash, randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FerryError } from '../../src/errors.js'
import type { ObjectInfo, ObjectStore } from '../../src/ports.js'

export interface ContractSubject {
  store: ObjectStore
  /** an existing, empty bucket only this test file uses */
  bucket: string
  /** a bucket name that does not exist */
  missingBucket: string
  cleanup(): Promise<void>
}

/** Keys that break naive URL or path handling; every store must round-trip them exactly. */
export const SPECIAL_KEYS = [
  'special/space in name.txt',
  'special/plus+sign.txt',
  'special/percent%20literal%2F.txt',
  'special/ünïcödé/日本語/😀.bin',
  'special/query?hash#amp&eq=semi;.txt',
  "special/a:b,c@d$e!f'g(h)i*j~k.txt",
]

/** S3 and GCS list keys in UTF-8 byte order, which differs from JavaScript's UTF-16 order. */
export function utf8Order(keys: string[]): string[] {
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
}

async function collect(iterable: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const out: ObjectInfo[] = []
  for await (const info of iterable) out.push(info)
  return out
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail')
    },
    (err: unknown) => err,
  )
}

/**
 * The behaviour every ObjectStore must share, run against each implementation. `subject` creates the
 * store and a fresh bucket once for the describe block.
 */
export function objectStoreContract(name: string, subject: () => Promise<ContractSubject>): void {
  describe(`ObjectStore contract: ${name}`, () => {
    let store: ObjectStore
    let bucket: string
    let missingBucket: string
    let cleanup: (() => Promise<void>) | undefined

    beforeAll(async () => {
      ;({ store, bucket, missingBucket, cleanup } = await subject())
    })
    afterAll(async () => {
      await cleanup?.()
    })

    it('round-trips binary data; put reports size and etag', async () => {
      const body = new Uint8Array([...Array.from({ length: 256 }, (_, i) => i), ...randomBytes(4096)])
      const info = await store.put(bucket, 'round-trip/data.bin', body)
      expect(info).toMatchObject({ bucket, key: 'round-trip/data.bin', size: body.length })
      expect(info.etag).toBeTruthy()
      const got = await store.get(bucket, 'round-trip/data.bin')
      expect(got).toBeInstanceOf(Uint8Array)
      expect(Buffer.from(got).equals(Buffer.from(body))).toBe(true)
    })

    it('round-trips an empty object and a large one', async () => {
      await store.put(bucket, 'round-trip/empty', new Uint8Array())
      expect((await store.get(bucket, 'round-trip/empty')).length).toBe(0)
      expect(await store.head(bucket, 'round-trip/empty')).toMatchObject({ size: 0 })
      const large = randomBytes(1024 * 1024 + 17)
      expect(await store.put(bucket, 'round-trip/large.bin', large)).toMatchObject({ size: large.length })
      const got = await store.get(bucket, 'round-trip/large.bin')
      expect(createHash('md5').update(got).digest('hex')).toBe(createHash('md5').update(large).digest('hex'))
    })

    it('head reports size, etag, last modified and metadata; a missing object is undefined', async () => {
      const body = Buffer.from('head me')
      const put = await store.put(bucket, 'head/object.txt', body, {
        contentType: 'text/plain',
        metadata: { dataset: 'orders', night: '2024-05-01' },
      })
      const info = await store.head(bucket, 'head/object.txt')
      expect(info).toMatchObject({
        bucket,
        key: 'head/object.txt',
        size: body.length,
        etag: put.etag,
        metadata: { dataset: 'orders', night: '2024-05-01' },
      })
      expect(info?.lastModified).toBeInstanceOf(Date)
      await store.put(bucket, 'head/plain.txt', body)
      expect((await store.head(bucket, 'head/plain.txt'))?.metadata).toEqual({})
      expect(await store.head(bucket, 'head/missing.txt')).toBeUndefined()
      expect(await store.head(bucket, 'head')).toBeUndefined()
    })

    it('reads byte ranges [start, end), clipped at the end of the object', async () => {
      const body = randomBytes(1000)
      await store.put(bucket, 'range/object.bin', body)
      const slice = async (start: number, end: number) =>
        Buffer.from(await store.get(bucket, 'range/object.bin', { start, end }))
      expect((await slice(0, 10)).equals(body.subarray(0, 10))).toBe(true)
      expect((await slice(500, 501)).equals(body.subarray(500, 501))).toBe(true)
      expect((await slice(990, 2000)).equals(body.subarray(990))).toBe(true)
      expect((await slice(1000, 1010)).length).toBe(0)
      expect((await slice(5, 5)).length).toBe(0)
      await expect(store.get(bucket, 'range/object.bin', { start: 10, end: 5 })).rejects.toThrow(RangeError)
      const err = await failure(store.get(bucket, 'range/missing.bin', { start: 0, end: 0 }))
      expect(err).toMatchObject({ code: 'FERRY_SOURCE_READ', retryable: false })
    })

    it('overwrite replaces content, size, etag and metadata', async () => {
      const first = await store.put(bucket, 'overwrite/object', Buffer.from('first version'), { metadata: { v: '1' } })
      const second = await store.put(bucket, 'overwrite/object', Buffer.from('second'))
      expect(second.etag).not.toBe(first.etag)
      expect(Buffer.from(await store.get(bucket, 'overwrite/object')).toString()).toBe('second')
      expect(await store.head(bucket, 'overwrite/object')).toMatchObject({ size: 6, etag: second.etag, metadata: {} })
    })

    it('lists every object under a prefix in key order, across pages', async () => {
      const items = Array.from({ length: 25 }, (_, i) => `list/item-${String(i).padStart(2, '0')}`)
      const nested = ['list/sub/deeper/z', 'list/sub/a', 'list/zz/child']
      const decoys = ['list-other/x', 'lis', 'listing']
      const shuffled = [...items, ...nested, ...decoys].sort(() => Math.random() - 0.5)
      for (const key of shuffled) await store.put(bucket, key, Buffer.from(key))
      const listed = await collect(store.list(bucket, 'list/', { pageSize: 10 }))
      expect(listed.map((i) => i.key)).toEqual(utf8Order([...items, ...nested]))
      for (const info of listed) expect(info).toMatchObject({ bucket, size: Buffer.byteLength(info.key) })
      expect(listed.every((i) => typeof i.etag === 'string' && i.etag.length > 0)).toBe(true)
      const partial = await collect(store.list(bucket, 'list/item-1', { pageSize: 3 }))
      expect(partial.map((i) => i.key)).toEqual(items.slice(10, 20))
      expect(await collect(store.list(bucket, 'nothing-here/'))).toEqual([])
    })

    it('list of a missing bucket fails with FERRY_SOURCE_READ', async () => {
      const err = await failure(collect(store.list(missingBucket, '')))
      expect(err).toBeInstanceOf(FerryError)
      expect(err).toMatchObject({ code: 'FERRY_SOURCE_READ', retryable: false })
    })

    it('deletes objects; deleting a missing object is fine', async () => {
      await store.put(bucket, 'delete/a/b/object.txt', Buffer.from('bye'))
      await store.put(bucket, 'delete/keep.txt', Buffer.from('stay'))
      await store.delete(bucket, 'delete/a/b/object.txt')
      expect(await store.head(bucket, 'delete/a/b/object.txt')).toBeUndefined()
      await store.delete(bucket, 'delete/a/b/object.txt')
      await store.delete(bucket, 'delete/never-existed.txt')
      expect((await collect(store.list(bucket, 'delete/'))).map((i) => i.key)).toEqual(['delete/keep.txt'])
    })

    it('get of a missing object throws FERRY_SOURCE_READ, not retryable, with bucket and key', async () => {
      for (const [b, key] of [
        [bucket, 'missing/object.bin'],
        [missingBucket, 'missing/object.bin'],
      ] as const) {
        const err = await failure(store.get(b, key))
        expect(err).toBeInstanceOf(FerryError)
        expect(err).toMatchObject({ code: 'FERRY_SOURCE_READ', retryable: false, context: { bucket: b, key } })
      }
    })

    it('keys with spaces, +, %, unicode, ? and # round-trip and list exactly', async () => {
      for (const key of SPECIAL_KEYS) {
        await store.put(bucket, key, Buffer.from(key), { metadata: { origin: 'special' } })
        expect(Buffer.from(await store.get(bucket, key)).toString()).toBe(key)
        expect(await store.head(bucket, key)).toMatchObject({ key, size: Buffer.byteLength(key) })
      }
      const listed = await collect(store.list(bucket, 'special/', { pageSize: 2 }))
      expect(listed.map((i) => i.key)).toEqual(utf8Order(SPECIAL_KEYS))
      await store.delete(bucket, SPECIAL_KEYS[0]!)
      expect(await store.head(bucket, SPECIAL_KEYS[0]!)).toBeUndefined()
    })
  })
}
