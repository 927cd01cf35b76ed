import { existsSync, readdirSync, realpathSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { LocalObjectStore } from '../../../src/adapters/local/object-store.js'
import { outputKey, quarantineKey } from '../../../src/core/output-path.js'
import { seededRandom } from '../../../src/core/sample-orders.js'
import { FerryError } from '../../../src/errors.js'
import { entryKey } from '../../../src/ops/history.js'
import type { ObjectInfo } from '../../../src/ports.js'

/**
 * The local object store is the sink of `ferry demo` and of every local-default night, and its keys
 * come from notifications anyone who can upload to the landing bucket controls. Whatever bucket or key
 * it is handed, it must neither write, read, delete nor list outside its root.
 */

let base: string
let root: string
let store: LocalObjectStore

/** Every path under `dir`, folders marked with a trailing `/`. */
function tree(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = entry.name + (entry.isDirectory() ? '/' : '')
    out.push(rel)
    if (entry.isDirectory()) out.push(...tree(path.join(dir, entry.name)).map((p) => `${entry.name}/${p}`))
  }
  return out.sort()
}

async function listKeys(bucket: string, prefix: string): Promise<string[]> {
  const out: ObjectInfo[] = []
  for await (const info of store.list(bucket, prefix)) out.push(info)
  return out.map((i) => i.key)
}

beforeEach(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'ferry-traversal-'))
  root = path.join(base, 'root')
  store = new LocalObjectStore({ root })
  await store.put('inbox', 'orders/ok.parquet', Buffer.from('inside'))
  // What a traversal would reach: a file beside the root, and one the store itself holds.
  await mkdir(path.join(base, 'outside'))
  await writeFile(path.join(base, 'outside', 'victim.txt'), 'outside the root')
})

afterEach(async () => {
  await rm(base, { recursive: true, force: true })
})

const HOSTILE_KEYS = [
  '..',
  '.',
  '',
  '../escape.txt',
  '../../escape.txt',
  '../../outside/victim.txt',
  'orders/../../escape.txt',
  'orders/../../../outside/victim.txt',
  'a/b/../../../../escape.txt',
  'orders/..',
  './escape.txt',
  'orders/./ok.parquet',
  'orders//ok.parquet',
  'orders/ok.parquet/',
  '/escape.txt',
  '/tmp/ferry-escape.txt',
  '//server/share/escape.txt',
  '..\\escape.txt',
  'orders\\..\\..\\escape.txt',
  'C:\\Windows\\escape.txt',
  'escape.txt\0.parquet',
  'orders/\0/escape.txt',
  '../root/inbox/orders/ok.parquet',
  `${'a/'.repeat(10)}${'../'.repeat(14)}escape.txt`,
  'x'.repeat(1025),
]

const HOSTILE_BUCKETS = [
  '..',
  '.',
  '',
  '../outside',
  '.meta',
  '.tmp',
  '/tmp',
  'inbox/..',
  'a/b',
  '..\\x',
  'in\0box',
  '-'.repeat(300),
]

function expectUnsafe(code: 'FERRY_SINK_WRITE' | 'FERRY_SOURCE_READ') {
  return {
    name: 'FerryError',
    code,
    retryable: false,
    context: expect.objectContaining({ reason: 'unsafe-path' }),
  }
}

describe('LocalObjectStore refuses every bucket/key that could leave its root', () => {
  it('for put, get, head and delete, changing nothing on disk, inside the root or out', async () => {
    const before = tree(base)
    const cases = [
      ...HOSTILE_KEYS.map((key) => ({ bucket: 'inbox', key })),
      ...HOSTILE_BUCKETS.map((bucket) => ({ bucket, key: 'escape.txt' })),
    ]
    for (const { bucket, key } of cases) {
      const what = JSON.stringify({ bucket, key })
      await expect(store.put(bucket, key, Buffer.from('pwned')), what).rejects.toMatchObject(
        expectUnsafe('FERRY_SINK_WRITE'),
      )
      await expect(store.get(bucket, key), what).rejects.toMatchObject(expectUnsafe('FERRY_SOURCE_READ'))
      await expect(store.head(bucket, key), what).rejects.toMatchObject(expectUnsafe('FERRY_SOURCE_READ'))
      await expect(store.delete(bucket, key), what).rejects.toMatchObject(expectUnsafe('FERRY_SINK_WRITE'))
    }
    expect(tree(base)).toEqual(before)
    expect(await readFile(path.join(base, 'outside', 'victim.txt'), 'utf8')).toBe('outside the root')
    expect(existsSync('/tmp/ferry-escape.txt')).toBe(false)
  })

  it('for list: a prefix whose folder part climbs out is refused, never walked', async () => {
    for (const prefix of ['../', '../outside/', 'orders/../../', '/tmp/', 'orders\\..\\', '..\\', 'a\0/']) {
      await expect(listKeys('inbox', prefix), prefix).rejects.toMatchObject(expectUnsafe('FERRY_SOURCE_READ'))
    }
    for (const bucket of HOSTILE_BUCKETS) {
      await expect(listKeys(bucket, ''), bucket).rejects.toMatchObject(expectUnsafe('FERRY_SOURCE_READ'))
    }
    // A prefix is only a filter on names: `..` without a slash matches nothing and climbs nowhere.
    expect(await listKeys('inbox', '..')).toEqual([])
  })

  it('stores percent-encoded and look-alike dots literally, inside the bucket folder', async () => {
    const literal = [
      '%2e%2e/escape.txt',
      '%2E%2E%2Fescape.txt',
      '..%2fescape.txt',
      '..%5cescape.txt',
      '%252e%252e/escape.txt',
      '.../escape.txt',
      '..escape.txt',
      'orders/..hidden',
      '\uff0e\uff0e/escape.txt', // fullwidth full stops
      '\u2024\u2024/escape.txt', // one-dot leaders
    ]
    for (const key of literal) {
      await store.put('inbox', key, Buffer.from(key))
      const file = path.join(root, 'inbox', ...key.split('/'))
      expect(realpathSync(file).startsWith(`${realpathSync(root)}${path.sep}`), key).toBe(true)
      expect(await readFile(file, 'utf8')).toBe(key)
      expect(Buffer.from(await store.get('inbox', key)).toString()).toBe(key)
    }
    expect(await listKeys('inbox', '')).toEqual(
      [...literal, 'orders/ok.parquet'].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))),
    )
    expect(tree(base).filter((p) => !p.startsWith('root/'))).toEqual(['outside/', 'outside/victim.txt'])
  })
})

describe('output names never carry the source key', () => {
  /** Keys a hostile uploader could choose, plus seeded random ones over an alphabet of path syntax. */
  function hostileSourceKeys(): string[] {
    const random = seededRandom(20261124)
    const alphabet = ['.', '..', '/', '\\', '%2e', '%2f', '\0', ' ', 'a', 'orders', '\u202e', '~', ':', '*', '\n']
    const generated = Array.from({ length: 300 }, () =>
      Array.from(
        { length: 1 + Math.floor(random() * 12) },
        () => alphabet[Math.floor(random() * alphabet.length)],
      ).join(''),
    )
    return [...HOSTILE_KEYS, '../../../etc/passwd', 'orders/../../.ssh/authorized_keys', '..parquet', ...generated]
  }

  it('outputs, quarantine files and history entries are safe keys the local store accepts, under the prefix', async () => {
    // no `.`/`..`, no separators, nothing hidden: letters, digits and . _ = - only, never a leading dot
    const segment = /^[A-Za-z0-9_][A-Za-z0-9._=-]*$/
    const seen = new Set<string>()
    const keys = hostileSourceKeys()
    for (const [i, key] of keys.entries()) {
      const source = { bucket: 'landing', key }
      for (const out of [
        outputKey('out', 'orders', '2026-11-23', source),
        quarantineKey('quarantine', 'orders', '2026-11-23', source),
        entryKey('out', 'orders', '2026-11-23', key),
      ]) {
        const parts = out.split('/')
        for (const part of parts) expect(part, `${JSON.stringify(key)} -> ${out}`).toMatch(segment)
        expect(['out', 'quarantine']).toContain(parts[0])
        seen.add(out)
        // Writing each one proves the store takes them; a sample keeps the test fast (every put syncs).
        if (i % 10 === 0) await store.put('lake', out, Buffer.from('x'))
      }
    }
    // Hashed: distinct hostile keys do not collapse onto one output.
    expect(seen.size).toBe(new Set(keys).size * 3)
    expect(tree(base).filter((p) => !p.startsWith('root/'))).toEqual(['outside/', 'outside/victim.txt'])
  })

  it('is an error for the store, not a write elsewhere, when a dataset name or prefix is hostile', async () => {
    await expect(
      store.put('lake', outputKey('../..', 'orders', '2026-11-23', { bucket: 'b', key: 'k' }), Buffer.from('x')),
    ).rejects.toBeInstanceOf(FerryError)
    expect(tree(base).filter((p) => !p.startsWith('root/'))).toEqual(['outside/', 'outside/victim.txt'])
  })
})
