import { describe, expect, it } from 'vitest'
import { WindowedFile } from '../../../../../src/core/formats/parquet/window.js'
import type { RangeReader } from '../../../../../src/core/formats/parquet.js'

/** A reader over `size` bytes (byte i holds i % 251) whose reads resolve only when released. */
function heldReader(size: number, fail?: (start: number, end: number) => boolean) {
  const requests: Array<{ start: number; end: number; release: () => void }> = []
  const reader: RangeReader = {
    size,
    read: (start, end) =>
      new Promise((resolve, reject) => {
        requests.push({
          start,
          end,
          release: () => {
            if (fail?.(start, end)) reject(new Error(`read ${start}-${end} failed`))
            else resolve(Uint8Array.from({ length: end - start }, (_, i) => (start + i) % 251))
          },
        })
      }),
  }
  const releaseAll = () => {
    for (const request of requests) request.release()
  }
  return { reader, requests, releaseAll }
}

const expected = (start: number, end: number) => Array.from({ length: end - start }, (_, i) => (start + i) % 251)

describe('WindowedFile', () => {
  it('fetches the next window while the current one is in use, and loads it from there', async () => {
    const { reader, requests, releaseAll } = heldReader(1000)
    const file = new WindowedFile(reader)
    const first = file.load(10, 100, [100, 300])
    // both requests are out before the first window arrives
    expect(requests.map(({ start, end }) => [start, end])).toEqual([
      [10, 100],
      [100, 300],
    ])
    releaseAll()
    await first
    expect(Array.from(await file.bytes(20, 30))).toEqual(expected(20, 30))

    await file.load(100, 300)
    expect(requests).toHaveLength(2)
    expect(Array.from(await file.bytes(250, 300))).toEqual(expected(250, 300))
    // outside the window: straight to the reader
    const outside = file.bytes(300, 310)
    expect(requests).toHaveLength(3)
    releaseAll()
    expect(Array.from(await outside)).toEqual(expected(300, 310))
  })

  it('drops a read ahead that is not what comes next, failed or not', async () => {
    const { reader, requests, releaseAll } = heldReader(1000, (start) => start === 100)
    const file = new WindowedFile(reader)
    const first = file.load(0, 100, [100, 200])
    releaseAll()
    await first
    const other = file.load(500, 600)
    releaseAll()
    await other
    expect(requests.map(({ start, end }) => [start, end])).toEqual([
      [0, 100],
      [100, 200],
      [500, 600],
    ])
    expect(Array.from(await file.bytes(500, 510))).toEqual(expected(500, 510))
  })

  it('fails the load that needs a read ahead that failed', async () => {
    const { reader, releaseAll } = heldReader(1000, (start) => start === 100)
    const file = new WindowedFile(reader)
    const first = file.load(0, 100, [100, 200])
    releaseAll()
    await first
    await expect(file.load(100, 200)).rejects.toThrow('read 100-200 failed')
  })

  it('does not read ahead a window too large to hold beside the current one', async () => {
    const { reader, requests, releaseAll } = heldReader(64 * 1024 * 1024)
    const file = new WindowedFile(reader)
    const first = file.load(0, 100, [100, 100 + 32 * 1024 * 1024])
    releaseAll()
    await first
    expect(requests).toHaveLength(1)
  })
})
