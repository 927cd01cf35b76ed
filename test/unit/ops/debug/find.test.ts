import { mkdirSync, mkdtempSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { defaultConfig } from '../../../../src/config/load.js'
import { UsageError } from '../../../../src/errors.js'
import { findObjects, formatFind, matches, parseSize, parseTime } from '../../../../src/ops/debug/find.js'

describe('parseSize', () => {
  it('reads decimal and binary units, and bare bytes', () => {
    expect(parseSize('512', 'x')).toBe(512)
    expect(parseSize('10B', 'x')).toBe(10)
    expect(parseSize('1KB', 'x')).toBe(1000)
    expect(parseSize('10MB', 'x')).toBe(10_000_000)
    expect(parseSize('1.5GB', 'x')).toBe(1_500_000_000)
    expect(parseSize('1KiB', 'x')).toBe(1024)
    expect(parseSize('64mib', 'x')).toBe(64 * 1024 * 1024)
    expect(parseSize('2GiB', 'x')).toBe(2 * 1024 ** 3)
    for (const bad of ['', 'MB', '-1KB', '10XB', '1,5MB'])
      expect(() => parseSize(bad, 'larger-than')).toThrow(UsageError)
  })
})

describe('parseTime', () => {
  it('takes a date as its UTC midnight, or a full timestamp', () => {
    expect(parseTime('2026-02-17', 'x').toISOString()).toBe('2026-02-17T00:00:00.000Z')
    expect(parseTime('2026-02-17T06:30:00+01:00', 'x').toISOString()).toBe('2026-02-17T05:30:00.000Z')
    for (const bad of ['yesterday', '17/02/2026', '2026-13-45']) expect(() => parseTime(bad, 'x')).toThrow(UsageError)
  })
})

describe('matches', () => {
  const object = { url: 'a', size: 1000, lastModified: new Date('2026-02-17T12:00:00Z') }
  it('applies strict bounds and needs a time for time filters', () => {
    expect(matches(object, {})).toBe(true)
    expect(matches(object, { largerThan: 999, smallerThan: 1001 })).toBe(true)
    expect(matches(object, { largerThan: 1000 })).toBe(false)
    expect(matches(object, { smallerThan: 1000 })).toBe(false)
    expect(matches(object, { modifiedAfter: new Date('2026-02-17T00:00:00Z') })).toBe(true)
    expect(matches(object, { modifiedBefore: new Date('2026-02-17T00:00:00Z') })).toBe(false)
    expect(matches({ url: 'b', size: 1 }, { modifiedAfter: new Date(0) })).toBe(false)
  })
})

describe('findObjects in a local folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-find-'))
  const files: Array<[string, number, string]> = [
    ['a/tiny.csv', 10, '2026-02-16T23:00:00Z'],
    ['a/b/medium.parquet', 5_000, '2026-02-17T08:00:00Z'],
    ['big.parquet', 2_000_000, '2026-02-18T01:00:00Z'],
  ]
  for (const [name, size, time] of files) {
    const path = join(dir, name)
    mkdirSync(join(path, '..'), { recursive: true })
    writeFileSync(path, new Uint8Array(size))
    utimesSync(path, new Date(time), new Date(time))
  }
  const config = defaultConfig(join(dir, '.ferry'))
  const find = (filters = {}) => findObjects(dir, config, '/', filters)

  it('lists every file under the folder, in path order, with a total', async () => {
    const result = await find()
    expect(result.objects.map((o) => o.url)).toEqual([
      join(dir, 'a/b/medium.parquet'),
      join(dir, 'a/tiny.csv'),
      join(dir, 'big.parquet'),
    ])
    expect(result).toMatchObject({ listed: 3, totalBytes: 2_005_010 })
    expect(formatFind(result).at(-1)).toBe('3 objects, 1.9 MiB total (3 listed)')
  })

  it('filters by size and time', async () => {
    const names = async (filters: object) => (await find(filters)).objects.map((o) => o.url.slice(dir.length + 1))
    expect(await names({ largerThan: parseSize('1KB', 'x') })).toEqual(['a/b/medium.parquet', 'big.parquet'])
    expect(await names({ smallerThan: parseSize('1KiB', 'x') })).toEqual(['a/tiny.csv'])
    expect(
      await names({ modifiedAfter: parseTime('2026-02-17', 'x'), modifiedBefore: parseTime('2026-02-18', 'x') }),
    ).toEqual(['a/b/medium.parquet'])
    const none = await find({ largerThan: parseSize('1GB', 'x') })
    expect(formatFind(none)).toEqual(['0 objects, 0 B total (3 listed)'])
  })

  it('shows sizes human-readable and times in UTC', async () => {
    const lines = formatFind(await find({ largerThan: 1_000_000 }))
    expect(lines[0]).toMatch(/^key +size +last modified$/)
    expect(lines[1]).toMatch(/big\.parquet +1\.9 MiB +2026-02-18T01:00:00\.000Z$/)
  })

  it('lists a single file, and says when the path does not exist', async () => {
    expect((await findObjects(join(dir, 'big.parquet'), config, '/', {})).listed).toBe(1)
    await expect(findObjects(join(dir, 'nope'), config, '/', {})).rejects.toMatchObject({ code: 'FERRY_SOURCE_READ' })
  })
})
