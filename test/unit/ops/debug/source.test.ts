import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import { UsageError } from '../../../../src/errors.js'
import { openObjectUrl } from '../../../../src/ops/debug/source.js'
import { writeLocalNight } from './night.js'

describe('openObjectUrl on local files', () => {
  const night = writeLocalNight()

  it('reads ranges and counts the bytes fetched', async () => {
    const file = night.largest
    const source = await openObjectUrl(night.path(file), night.config)
    expect(source).toMatchObject({ bucket: '', key: night.path(file), size: file.bytes.length, bytesRead: 0 })
    expect(source.lastModified).toBeInstanceOf(Date)
    expect(await source.read(0, 4)).toEqual(file.bytes.subarray(0, 4))
    expect(await source.read(file.bytes.length - 10, file.bytes.length)).toEqual(file.bytes.subarray(-10))
    expect(source.bytesRead).toBe(14)
    expect(await source.readAll()).toEqual(file.bytes)
  })

  it('resolves relative paths against the given cwd and accepts file:// URLs', async () => {
    const relative = await openObjectUrl(night.clean.key, night.config, { cwd: night.dir })
    expect(relative.size).toBe(night.clean.bytes.length)
    const byUrl = await openObjectUrl(pathToFileURL(night.path(night.clean)).href, night.config)
    expect(byUrl.key).toBe(night.path(night.clean))
  })

  it('says when the file does not exist or is a folder', async () => {
    await expect(openObjectUrl(join(night.dir, 'missing.parquet'), night.config)).rejects.toMatchObject({
      code: 'FERRY_SOURCE_READ',
    })
    await expect(openObjectUrl(night.dir, night.config)).rejects.toThrow(/is not a file/)
    await expect(openObjectUrl('s3://bucket-only', night.config)).rejects.toBeInstanceOf(UsageError)
  })

  it('reads an empty file as zero bytes', async () => {
    const path = join(night.dir, 'empty.csv')
    writeFileSync(path, '')
    const source = await openObjectUrl(path, night.config)
    expect(source.size).toBe(0)
    expect(await source.readAll()).toEqual(new Uint8Array())
  })
})
