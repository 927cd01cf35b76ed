import { ProtocolError } from '../../errors.js'

/**
 * Cursor over a Kafka wire buffer. Every read checks bounds and throws ProtocolError, so a
 * malformed request can never read past its frame or allocate an absurd array.
 */
export class Reader {
  readonly buffer: Buffer
  offset: number

  constructor(buffer: Buffer, offset = 0) {
    this.buffer = buffer
    this.offset = offset
  }

  get remaining(): number {
    return this.buffer.length - this.offset
  }

  private take(size: number): number {
    if (size < 0 || this.offset + size > this.buffer.length) {
      throw new ProtocolError(`truncated input: need ${size} bytes at ${this.offset}, have ${this.remaining}`)
    }
    const at = this.offset
    this.offset += size
    return at
  }

  int8(): number {
    return this.buffer.readInt8(this.take(1))
  }

  int16(): number {
    return this.buffer.readInt16BE(this.take(2))
  }

  int32(): number {
    return this.buffer.readInt32BE(this.take(4))
  }

  uint32(): number {
    return this.buffer.readUInt32BE(this.take(4))
  }

  /** Offsets, timestamps and producer ids fit well inside 2^53 in practice; numbers keep call sites simple. */
  int64(): number {
    return Number(this.buffer.readBigInt64BE(this.take(8)))
  }

  boolean(): boolean {
    return this.int8() !== 0
  }

  /** Unsigned LEB128 varint, at most 5 bytes (32 bits). */
  uvarint(): number {
    let value = 0
    for (let shift = 0; shift < 35; shift += 7) {
      const byte = this.buffer[this.take(1)]!
      value += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) return value
    }
    throw new ProtocolError('varint longer than 5 bytes')
  }

  /** Zig-zag signed varint (32 bits). */
  varint(): number {
    return unzigzag(this.uvarint())
  }

  /** Zig-zag signed varlong; exact while |value| < 2^53, which covers timestamp deltas. */
  varlong(): number {
    let value = 0
    for (let shift = 0; shift < 70; shift += 7) {
      const byte = this.buffer[this.take(1)]!
      value += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) return unzigzag(value)
    }
    throw new ProtocolError('varlong longer than 10 bytes')
  }

  raw(size: number): Buffer {
    const at = this.take(size)
    return this.buffer.subarray(at, at + size)
  }

  private utf8(size: number): string {
    const at = this.take(size)
    return this.buffer.toString('utf8', at, at + size)
  }

  string(): string {
    const size = this.int16()
    if (size < 0) throw new ProtocolError('null where a string is required')
    return this.utf8(size)
  }

  nullableString(): string | null {
    const size = this.int16()
    return size < 0 ? null : this.utf8(size)
  }

  compactString(): string {
    const size = this.uvarint() - 1
    if (size < 0) throw new ProtocolError('null where a compact string is required')
    return this.utf8(size)
  }

  compactNullableString(): string | null {
    const size = this.uvarint() - 1
    return size < 0 ? null : this.utf8(size)
  }

  bytes(): Buffer {
    const size = this.int32()
    if (size < 0) throw new ProtocolError('null where bytes are required')
    return this.raw(size)
  }

  nullableBytes(): Buffer | null {
    const size = this.int32()
    return size < 0 ? null : this.raw(size)
  }

  array<T>(item: (reader: Reader) => T): T[] {
    const items = this.nullableArray(item)
    if (items === null) throw new ProtocolError('null where an array is required')
    return items
  }

  nullableArray<T>(item: (reader: Reader) => T): T[] | null {
    const count = this.int32()
    return count < 0 ? null : this.items(count, item)
  }

  compactArray<T>(item: (reader: Reader) => T): T[] {
    const count = this.uvarint() - 1
    if (count < 0) throw new ProtocolError('null where a compact array is required')
    return this.items(count, item)
  }

  /** KIP-482 tagged fields: Ferry knows none, so they are skipped. */
  skipTaggedFields(): void {
    const count = this.uvarint()
    for (let i = 0; i < count; i++) {
      this.uvarint()
      this.take(this.uvarint())
    }
  }

  private items<T>(count: number, item: (reader: Reader) => T): T[] {
    // Every element takes at least one byte: a bigger count is garbage, not a reason to allocate.
    if (count > this.remaining) throw new ProtocolError(`array of ${count} items in ${this.remaining} bytes`)
    const items = new Array<T>(count)
    for (let i = 0; i < count; i++) items[i] = item(this)
    return items
  }
}

function unzigzag(value: number): number {
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2
}
