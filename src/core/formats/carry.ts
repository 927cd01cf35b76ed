/**
 * The unconsumed tail of a text stream, carried from chunk to chunk. Appending copies into spare
 * room that doubles when it runs out, so a record spanning many chunks (a long line, a gzip bomb of
 * one line) costs time linear in its length, where concatenating the tail with every chunk costs
 * its square (measured: 6.6 s of copying for one 8 MiB line arriving in 16 KiB chunks).
 */
export class CarryBuffer {
  private store: Buffer = Buffer.alloc(0)
  private start = 0
  private end = 0

  /** the carried bytes followed by `chunk`; valid until the next call */
  append(chunk: Uint8Array): Buffer {
    const length = this.end - this.start
    if (this.end + chunk.byteLength > this.store.length) {
      const grown = Buffer.allocUnsafe(Math.max(2 * (length + chunk.byteLength), 64 * 1024))
      this.store.copy(grown, 0, this.start, this.end)
      this.store = grown
      this.start = 0
      this.end = length
    }
    this.store.set(chunk, this.end)
    this.end += chunk.byteLength
    return this.store.subarray(this.start, this.end)
  }

  /** forgets the first `count` bytes of what `append` returned */
  consume(count: number): void {
    this.start += count
    if (this.start === this.end) this.start = this.end = 0
  }

  get length(): number {
    return this.end - this.start
  }

  /** what is carried */
  get bytes(): Buffer {
    return this.store.subarray(this.start, this.end)
  }
}
