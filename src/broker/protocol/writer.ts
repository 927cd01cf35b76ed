/**
 * Builds a Kafka wire message as a list of chunks. Large payloads (stored record batches) are
 * appended with `raw` without copying, so a fetch response is a writev of the stored buffers.
 */
const MAX_CHUNK = 64 * 1024

export class Writer {
  private readonly chunks: Buffer[] = []
  private current: Buffer
  private position = 0
  private flushed = 0
  private chunkSize: number

  constructor(initialSize = 256) {
    this.chunkSize = initialSize
    this.current = Buffer.allocUnsafe(initialSize)
  }

  get length(): number {
    return this.flushed + this.position
  }

  /** Reserves `size` bytes and returns where they start. It may replace `current`, so call it before reading `current`. */
  private room(size: number): number {
    if (this.position + size > this.current.length) {
      this.flush()
      this.chunkSize = Math.min(this.chunkSize * 2, MAX_CHUNK)
      this.current = Buffer.allocUnsafe(Math.max(size, this.chunkSize))
    }
    const at = this.position
    this.position += size
    return at
  }

  private flush(): void {
    if (this.position === 0) return
    this.chunks.push(this.current.subarray(0, this.position))
    this.flushed += this.position
    this.current = this.current.subarray(this.position)
    this.position = 0
  }

  int8(value: number): this {
    const at = this.room(1)
    this.current.writeInt8(value, at)
    return this
  }

  int16(value: number): this {
    const at = this.room(2)
    this.current.writeInt16BE(value, at)
    return this
  }

  int32(value: number): this {
    const at = this.room(4)
    this.current.writeInt32BE(value, at)
    return this
  }

  uint32(value: number): this {
    const at = this.room(4)
    this.current.writeUInt32BE(value, at)
    return this
  }

  int64(value: number): this {
    const at = this.room(8)
    this.current.writeBigInt64BE(BigInt(value), at)
    return this
  }

  boolean(value: boolean): this {
    return this.int8(value ? 1 : 0)
  }

  uvarint(value: number): this {
    let rest = value
    while (rest >= 0x80) {
      const at = this.room(1)
      this.current[at] = (rest % 0x80) | 0x80
      rest = Math.floor(rest / 0x80)
    }
    const at = this.room(1)
    this.current[at] = rest
    return this
  }

  varint(value: number): this {
    return this.uvarint(value >= 0 ? value * 2 : -value * 2 - 1)
  }

  /** Appends a buffer by reference: the caller must not mutate it until the message is sent. */
  raw(buffer: Buffer): this {
    if (buffer.length < 64) {
      const at = this.room(buffer.length)
      buffer.copy(this.current, at)
      return this
    }
    this.flush()
    this.chunks.push(buffer)
    this.flushed += buffer.length
    return this
  }

  string(value: string): this {
    const size = Buffer.byteLength(value)
    this.int16(size)
    const at = this.room(size)
    this.current.write(value, at, size, 'utf8')
    return this
  }

  nullableString(value: string | null): this {
    return value === null ? this.int16(-1) : this.string(value)
  }

  compactString(value: string): this {
    const size = Buffer.byteLength(value)
    this.uvarint(size + 1)
    const at = this.room(size)
    this.current.write(value, at, size, 'utf8')
    return this
  }

  compactNullableString(value: string | null): this {
    return value === null ? this.uvarint(0) : this.compactString(value)
  }

  bytes(value: Buffer): this {
    return this.int32(value.length).raw(value)
  }

  nullableBytes(value: Buffer | null): this {
    return value === null ? this.int32(-1) : this.bytes(value)
  }

  array<T>(items: readonly T[], item: (writer: this, value: T) => void): this {
    this.int32(items.length)
    for (const value of items) item(this, value)
    return this
  }

  nullableArray<T>(items: readonly T[] | null, item: (writer: this, value: T) => void): this {
    return items === null ? this.int32(-1) : this.array(items, item)
  }

  compactArray<T>(items: readonly T[], item: (writer: this, value: T) => void): this {
    this.uvarint(items.length + 1)
    for (const value of items) item(this, value)
    return this
  }

  /** No tagged fields: Ferry never sends optional KIP-482 fields. */
  emptyTaggedFields(): this {
    return this.uvarint(0)
  }

  toChunks(): Buffer[] {
    this.flush()
    return this.chunks
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.toChunks(), this.length)
  }
}
