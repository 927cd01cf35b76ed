import { createGzip, gzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  byteChunks,
  collect,
  gunzip,
  hasGzipSuffix,
  isGzip,
  stripGzipSuffix,
  withoutBom,
} from '../../../../src/core/formats/compression.js'
import { FormatError, LimitError } from '../../../../src/errors.js'

const text = (s: string) => new TextEncoder().encode(s)
const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes)

/** Pieces of `size` bytes, counting how many the consumer pulled. */
function metered(bytes: Uint8Array, size: number) {
  const meter = { pulled: 0, total: Math.ceil(bytes.length / size) }
  async function* pieces(): AsyncGenerator<Uint8Array> {
    for (let at = 0; at < bytes.length; at += size) {
      meter.pulled++
      yield bytes.subarray(at, at + size)
    }
  }
  return { meter, pieces: pieces() }
}

/** 1 GiB of zeros gzipped as one member, streamed through zlib so the GiB never exists in memory. */
async function gzippedZeros(bytes: number): Promise<Uint8Array> {
  const zeros = new Uint8Array(1024 * 1024)
  async function* source(): AsyncGenerator<Uint8Array> {
    for (let left = bytes; left > 0; left -= zeros.length) yield zeros.subarray(0, Math.min(left, zeros.length))
  }
  const gzip = createGzip({ level: 1 })
  const out = collect(gzip)
  for await (const chunk of source()) {
    if (!gzip.write(chunk)) await new Promise((resolve) => gzip.once('drain', resolve))
  }
  gzip.end()
  return out
}

async function drain(chunks: AsyncIterable<Uint8Array>): Promise<number> {
  let total = 0
  for await (const chunk of chunks) total += chunk.byteLength
  return total
}

describe('gzip detection', () => {
  it('knows gzip by its magic number and its name by the suffix', () => {
    expect(isGzip(gzipSync(text('x')))).toBe(true)
    expect(isGzip(text('PAR1'))).toBe(false)
    expect(isGzip(new Uint8Array([0x1f, 0x8b]))).toBe(false)
    expect(hasGzipSuffix('a/b.csv.GZ')).toBe(true)
    expect(hasGzipSuffix('a/b.gzip')).toBe(true)
    expect(hasGzipSuffix('a/b.csv')).toBe(false)
    expect(stripGzipSuffix('a/b.ndjson.gz')).toBe('a/b.ndjson')
  })
})

describe('gunzip', () => {
  it('inflates a stream fed one byte at a time, and concatenated members as one stream', async () => {
    const members = new Uint8Array([...gzipSync(text('first,')), ...gzipSync(text('second'))])
    const { pieces } = metered(members, 1)
    expect(decode(await collect(gunzip(pieces)))).toBe('first,second')
  })

  it('throws FormatError for data that is not gzip, damaged or cut short', async () => {
    await expect(collect(gunzip(byteChunks(text('not gzip at all'))))).rejects.toBeInstanceOf(FormatError)
    const damaged = gzipSync(text('hello world '.repeat(100)))
    damaged.fill(0xff, 12, 30)
    await expect(collect(gunzip(byteChunks(damaged)))).rejects.toBeInstanceOf(FormatError)
    const whole = gzipSync(text('hello world '.repeat(100)))
    await expect(collect(gunzip(byteChunks(whole.subarray(0, whole.length - 10))))).rejects.toThrow(
      /truncated gzip data/,
    )
  })

  it('passes on a failure of its input unchanged', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield gzipSync(text('x')).subarray(0, 5)
      throw new Error('socket reset')
    }
    await expect(collect(gunzip(failing()))).rejects.toThrow('socket reset')
  })

  it('inflates the start of a stream without complaint when told it is a prefix', async () => {
    const whole = gzipSync(text('a,b\n'.repeat(10_000)))
    const start = await collect(gunzip(byteChunks(whole.subarray(0, 200)), { prefix: true }))
    expect(decode(start).startsWith('a,b\na,b\n')).toBe(true)
  })

  describe('a gzip bomb: 1 GiB of zeros', () => {
    let bomb: Uint8Array
    beforeAll(async () => {
      bomb = await gzippedZeros(1024 ** 3)
    }, 120_000)

    it('stops with LimitError at the decompression limit, without pulling the rest of the input', async () => {
      expect(bomb.byteLength).toBeLessThan(10 * 1024 * 1024)
      const { meter, pieces } = metered(bomb, 16 * 1024)
      const limit = 64 * 1024 * 1024
      const err = await drain(gunzip(pieces, { maxBytes: limit })).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(err).toBeInstanceOf(LimitError)
      expect((err as LimitError).message).toMatch(/67108864-byte decompression limit/)
      expect(meter.pulled).toBeLessThan(meter.total / 2)
    })

    it('inflates completely under a limit that allows it', { timeout: 120_000 }, async () => {
      expect(await drain(gunzip(byteChunks(bomb), { maxBytes: 1024 ** 3 }))).toBe(1024 ** 3)
    })
  })
})

describe('withoutBom and byteChunks', () => {
  it('drops a BOM however the first bytes are split, and only at the start', async () => {
    const input = text('\ufeffa\ufeffb')
    const { pieces } = metered(input, 1)
    expect(decode(await collect(withoutBom(pieces)))).toBe('a\ufeffb')
    expect(decode(await collect(withoutBom(byteChunks(text('ab')))))).toBe('ab')
    expect(await collect(withoutBom(byteChunks(new Uint8Array([0xef, 0xbb]))))).toEqual(new Uint8Array([0xef, 0xbb]))
  })

  it('cuts bytes in memory into views without copying', async () => {
    const bytes = new Uint8Array(3 * 1024 * 1024 + 5)
    const chunks: Uint8Array[] = []
    for await (const chunk of byteChunks(bytes)) chunks.push(chunk)
    expect(chunks.map((c) => c.byteLength)).toEqual([1024 * 1024, 1024 * 1024, 1024 * 1024, 5])
    expect(chunks.every((c) => c.buffer === bytes.buffer)).toBe(true)
  })
})
