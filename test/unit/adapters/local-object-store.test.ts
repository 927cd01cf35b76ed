import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LocalObjectStore } from '../../../src/adapters/local/object-store.js'
import { FerryError } from '../../../src/errors.js'
import type { ObjectInfo } from '../../../src/ports.js'

let base: string
let root: string
let store: LocalObjectStore

const md5 = (data: string | Uint8Array) => createHash('md5').update(data).digest('hex')

async function keys(bucket: string, prefix = ''): Promise<string[]> {
  const out: ObjectInfo[] = []
  for await (const info of store.list(bucket, prefix)) out.push(info)
  return out.map((i) => i.key)
}

beforeEach(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'ferry-local-store-'))
  root = path.join(base, 'root')
  store = new LocalObjectStore({ root })
})

afterEach(async () => {
  await rm(base, { recursive: true, force: true })
})

describe('LocalObjectStore layout', () => {
  it('stores <root>/<bucket>/<key> with a sidecar, creating the bucket folder, and leaves no temp files', async () => {
    const info = await store.put('inbox', 'nightly/2024-05-01/orders.csv', Buffer.from('id\n1\n'), {
      contentType: 'text/csv',
      metadata: { dataset: 'orders' },
    })
    expect(info).toMatchObject({ size: 5, etag: md5('id\n1\n'), metadata: { dataset: 'orders' } })
    expect(await readFile(path.join(root, 'inbox/nightly/2024-05-01/orders.csv'), 'utf8')).toBe('id\n1\n')
    const [sidecarName] = await readdir(path.join(root, '.meta/inbox'))
    const sidecar = JSON.parse(await readFile(path.join(root, '.meta/inbox', sidecarName!), 'utf8'))
    expect(sidecar).toMatchObject({
      key: 'nightly/2024-05-01/orders.csv',
      contentType: 'text/csv',
      metadata: { dataset: 'orders' },
      etag: md5('id\n1\n'),
    })
    expect(await readdir(path.join(root, '.tmp'))).toEqual([])
    expect(store.scheme).toBe('file')
  })

  it('serves files dropped in by hand: md5 etag, no metadata', async () => {
    await mkdir(path.join(root, 'inbox/by-hand'), { recursive: true })
    await writeFile(path.join(root, 'inbox/by-hand/file.json'), '{"a":1}')
    expect(await store.head('inbox', 'by-hand/file.json')).toMatchObject({
      size: 7,
      etag: md5('{"a":1}'),
      metadata: {},
    })
    expect(await keys('inbox')).toEqual(['by-hand/file.json'])
  })

  it('ignores the sidecar of a file changed by hand: etag recomputed, metadata gone', async () => {
    await store.put('inbox', 'changed.txt', Buffer.from('before'), { metadata: { stale: 'yes' } })
    const file = path.join(root, 'inbox/changed.txt')
    await writeFile(file, 'after!')
    await utimes(file, new Date(1_000_000), new Date(1_000_000))
    expect(await store.head('inbox', 'changed.txt')).toMatchObject({ etag: md5('after!'), metadata: {} })
  })

  it('deletes the sidecar and prunes empty folders, keeping the bucket', async () => {
    await store.put('inbox', 'a/b/c/object.txt', Buffer.from('x'), { metadata: { m: '1' } })
    await store.delete('inbox', 'a/b/c/object.txt')
    expect(await readdir(path.join(root, 'inbox'))).toEqual([])
    expect(await readdir(path.join(root, '.meta/inbox'))).toEqual([])
    await store.put('inbox', 'a', Buffer.from('a file where the folder was'))
    expect(await keys('inbox')).toEqual(['a'])
  })

  it('treats folders as absent objects', async () => {
    await store.put('inbox', 'folder/inner.txt', Buffer.from('x'))
    expect(await store.head('inbox', 'folder')).toBeUndefined()
    await expect(store.get('inbox', 'folder')).rejects.toMatchObject({ code: 'FERRY_SOURCE_READ', retryable: false })
  })

  it('refuses a key that is both an object and a folder, without retrying', async () => {
    await store.put('inbox', 'x', Buffer.from('file'))
    const under = await store.put('inbox', 'x/y', Buffer.from('nested')).catch((e: unknown) => e)
    expect(under).toBeInstanceOf(FerryError)
    expect(under).toMatchObject({ code: 'FERRY_SINK_WRITE', retryable: false })
    await store.put('inbox', 'p/q', Buffer.from('nested'))
    await expect(store.put('inbox', 'p', Buffer.from('file'))).rejects.toMatchObject({ retryable: false })
    expect(await keys('inbox')).toEqual(['p/q', 'x'])
    expect(await readdir(path.join(root, '.tmp'))).toEqual([])
  })

  it('keeps every concurrent overwrite whole', async () => {
    const bodies = Array.from({ length: 20 }, (_, i) => Buffer.alloc(64 * 1024, i))
    await Promise.all(bodies.map((body) => store.put('inbox', 'race.bin', body)))
    const final = Buffer.from(await store.get('inbox', 'race.bin'))
    expect(bodies.some((body) => body.equals(final))).toBe(true)
    expect((await store.head('inbox', 'race.bin'))?.etag).toBe(md5(final))
  })
})

describe('LocalObjectStore symlinks', () => {
  let outside: string
  beforeEach(async () => {
    outside = path.join(base, 'outside')
    await mkdir(outside)
    await writeFile(path.join(outside, 'secret.txt'), 'secret')
    await mkdir(path.join(root, 'inbox'), { recursive: true })
    await symlink(outside, path.join(root, 'inbox/link-dir'))
    await symlink(path.join(outside, 'secret.txt'), path.join(root, 'inbox/link-file'))
  })

  it('does not read through a symlink that leaves the root', async () => {
    for (const key of ['link-dir/secret.txt', 'link-file']) {
      await expect(store.get('inbox', key)).rejects.toMatchObject({ context: { reason: 'unsafe-path' } })
      await expect(store.head('inbox', key)).rejects.toMatchObject({ context: { reason: 'unsafe-path' } })
    }
  })

  it('does not write or delete through a symlinked folder', async () => {
    await expect(store.put('inbox', 'link-dir/new.txt', Buffer.from('x'))).rejects.toMatchObject({
      context: { reason: 'unsafe-path' },
    })
    expect(existsSync(path.join(outside, 'new.txt'))).toBe(false)
    await expect(store.put('inbox', 'link-dir/sub/new.txt', Buffer.from('x'))).rejects.toMatchObject({
      context: { reason: 'unsafe-path' },
    })
    expect(existsSync(path.join(outside, 'sub'))).toBe(false)
    await expect(store.delete('inbox', 'link-dir/secret.txt')).rejects.toBeInstanceOf(FerryError)
    expect(existsSync(path.join(outside, 'secret.txt'))).toBe(true)
  })

  it('does not list symlinks', async () => {
    await store.put('inbox', 'real.txt', Buffer.from('x'))
    expect(await keys('inbox')).toEqual(['real.txt'])
  })

  it('refuses a bucket folder that is itself a symlink out of the root', async () => {
    await symlink(outside, path.join(root, 'linked-bucket'))
    await expect(store.get('linked-bucket', 'secret.txt')).rejects.toMatchObject({ context: { reason: 'unsafe-path' } })
    await expect(keys('linked-bucket')).rejects.toMatchObject({ context: { reason: 'unsafe-path' } })
  })
})
