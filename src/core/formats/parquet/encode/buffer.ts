/**
 * A growable little-endian byte buffer for the page encoders. hyparquet-writer's ByteWriter does the
 * same job through a DataView call and a capacity check per value; this one lets the hot loops
 * reserve space once per value or per run and write into the bytes directly.
 */
export class ByteBuffer {
  bytes: Uint8Array
  private view: DataView
  /** a Buffer over the same memory, for its native UTF-8 writer */
  private node: Buffer
  length = 0

  constructor(capacity = 64 * 1024) {
    this.bytes = new Uint8Array(capacity)
    this.view = new DataView(this.bytes.buffer)
    this.node = Buffer.from(this.bytes.buffer)
  }

  /** Makes room for `extra` more bytes. */
  reserve(extra: number): void {
    const needed = this.length + extra
    if (needed <= this.bytes.length) return
    const grown = new Uint8Array(Math.max(needed, this.bytes.length * 2))
    grown.set(this.bytes.subarray(0, this.length))
    this.bytes = grown
    this.view = new DataView(grown.buffer)
    this.node = Buffer.from(grown.buffer)
  }

  reset(): void {
    this.length = 0
  }

  /** A view of the bytes written so far; valid until the next write or reset. */
  written(): Uint8Array {
    return this.bytes.subarray(0, this.length)
  }

  byte(value: number): void {
    this.reserve(1)
    this.bytes[this.length++] = value
  }

  int32(value: number): void {
    this.reserve(4)
    this.view.setInt32(this.length, value, true)
    this.length += 4
  }

  /** Rewrites a 4-byte length or count reserved earlier. */
  int32At(position: number, value: number): void {
    this.view.setInt32(position, value, true)
  }

  double(value: number): void {
    this.reserve(8)
    this.view.setFloat64(this.length, value, true)
    this.length += 8
  }

  /** An INT64 given as a safe integer, written without going through BigInt. */
  int64(value: number): void {
    this.reserve(8)
    const high = Math.floor(value / 4_294_967_296)
    this.view.setUint32(this.length, value - high * 4_294_967_296, true)
    this.view.setInt32(this.length + 4, high, true)
    this.length += 8
  }

  bigint64(value: bigint): void {
    this.reserve(8)
    this.view.setBigInt64(this.length, value, true)
    this.length += 8
  }

  /** Unsigned LEB128, as the RLE/bit-packed hybrid headers use. */
  varint(value: number): void {
    let rest = value
    while (rest > 0x7f) {
      this.byte((rest & 0x7f) | 0x80)
      rest >>>= 7
    }
    this.byte(rest)
  }

  /**
   * A PLAIN BYTE_ARRAY value: 4-byte length, then UTF-8. Short ASCII strings, by far the most common,
   * are copied by hand; anything else goes through Buffer's native encoder, whose per-call cost only
   * pays off for longer text.
   */
  utf8WithLength(text: string): void {
    const units = text.length
    this.reserve(4 + units * 3)
    const start = this.length + 4
    const bytes = this.bytes
    let written = -1
    if (units <= 64) {
      let i = 0
      for (; i < units; i++) {
        const unit = text.charCodeAt(i)
        if (unit >= 0x80) break
        bytes[start + i] = unit
      }
      if (i === units) written = units
    }
    if (written < 0) written = this.node.write(text, start, 'utf8')
    this.view.setInt32(this.length, written, true)
    this.length = start + written
  }
}
