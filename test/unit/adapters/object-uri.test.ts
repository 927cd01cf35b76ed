import { mkdirSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { inSourceStore, locateObject } from '../../../src/adapters/object-uri.js'
import { defaultConfig } from '../../../src/config/load.js'
import { UsageError } from '../../../src/errors.js'

const home = mkdtempSync(join(tmpdir(), 'ferry-uri-'))
mkdirSync(join(home, 'buckets', 'landing'), { recursive: true })
const local = defaultConfig(home)
const cloud = {
  ...defaultConfig(home),
  source: { type: 's3' as const },
  output: { ...local.output, type: 'gcs' as const },
}

describe('locateObject', () => {
  it('reads cloud URIs, local bucket objects by path or file URL, and other files', () => {
    expect(locateObject('s3://landing/orders/a.parquet', cloud, '/cwd')).toEqual({
      kind: 'cloud',
      scheme: 's3',
      bucket: 'landing',
      key: 'orders/a.parquet',
    })
    expect(locateObject('GS://lake', cloud, '/cwd')).toEqual({ kind: 'cloud', scheme: 'gs', bucket: 'lake', key: '' })
    const path = join(home, 'buckets', 'landing', 'orders', 'a b.parquet')
    const object = { kind: 'local', bucket: 'landing', key: 'orders/a b.parquet', path }
    expect(locateObject(path, local, '/cwd')).toEqual(object)
    expect(locateObject(`file://${path.replaceAll(' ', '%20')}`, local, '/cwd')).toEqual(object)
    expect(locateObject('buckets/landing/orders/a b.parquet', local, home)).toEqual(object)
    expect(locateObject('data/a.csv', local, '/cwd')).toEqual({ kind: 'file', path: '/cwd/data/a.csv' })
  })

  it('answers an s3:// or gs:// URI for a bucket kept locally with the local name, at once', () => {
    const message = `s3:// names the cloud, but Ferry runs on the local default here: this object is ${home}/buckets/landing/orders/a.parquet`
    expect(() => locateObject('s3://landing/orders/a.parquet', local, '/cwd')).toThrow(message)
    // a bucket Ferry does not keep locally is taken for what it says: the cloud
    expect(locateObject('s3://elsewhere/a.parquet', local, '/cwd')).toMatchObject({ kind: 'cloud' })
  })

  it.each([
    '',
    '   ',
    's3://',
    's3:///key',
    'file://landing/orders/a.parquet',
    'file:',
    'https://example.com/a.csv',
    'hdfs://cluster/a',
    'ftp://x',
  ])('refuses %j with a UsageError saying which forms there are, never another error', (text) => {
    let thrown: unknown
    try {
      locateObject(text, local, '/cwd')
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(UsageError)
    expect((thrown as Error).message).not.toMatch(/ERR_|TypeError/)
  })
})

describe('inSourceStore', () => {
  it('takes what the source store holds, and names the right form otherwise', () => {
    const path = join(home, 'buckets', 'landing', 'orders', 'a.parquet')
    expect(inSourceStore(locateObject(path, local, '/'), local, path)).toMatchObject({
      bucket: 'landing',
      key: 'orders/a.parquet',
    })
    expect(inSourceStore(locateObject('s3://landing/x', cloud, '/'), cloud, 's3://landing/x')).toMatchObject({
      bucket: 'landing',
      key: 'x',
    })
    expect(() => inSourceStore(locateObject('/tmp/x.csv', local, '/'), local, '/tmp/x.csv')).toThrow(
      `"/tmp/x.csv" is not in the source store: name it ${home}/buckets/<bucket>/<key>`,
    )
    expect(() => inSourceStore(locateObject('gs://lake/x', cloud, '/'), cloud, 'gs://lake/x')).toThrow(
      /name it s3:\/\/bucket\/key/,
    )
  })
})
