/**
 * Low-level page decoding for the flat-column reader (flat.ts): the RLE/bit-packed hybrid and PLAIN
 * values. Every read is bounds-checked against the page and every loop consumes input, so damaged
 * bytes end in FormatError, never in a read past the page or a loop that does not end.
 */
import { FormatError } from '../../../../errors.js'

export class PageReader {
  readonly bytes: Uint8Array
  readonly view: DataView
  offset: number
  readonly end: number
  private node: Buffer | undefined

  constructor(bytes: Uint8Array, offset = 0, end = bytes.length) {
    this.bytes = bytes
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.offset = offset
    this.end = end
  }

  /** The same bytes as a Buffer, for its native text decoders. */
  get buffer(): Buffer {
    this.node ??= Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength)
    return this.node
  }

  /** Throws unless `count` more bytes are there. */
  need(count: number): void {
    if (this.offset + count > this.end) {
      throw new FormatError(`page data ends early: ${count} bytes wanted at ${this.offset} of ${this.end}`)
    }
  }

  /** An unsigned varint below 2^31, as hyparquet's 32-bit reader reads it alike. */
  varint(): number {
    let value = 0
    for (let shift = 0; shift < 35; shift += 7) {
      this.need(1)
      const byte = this.bytes[this.offset++]!
      value += (byte & 0x7f) * 2 ** shift
      if (byte < 0x80) {
        if (value > 0x7fffffff) break
        return value
      }
    }
    throw new FormatError(`page data holds a varint beyond 2^31 at byte ${this.offset}`)
  }
}

/**
 * Decodes `count` values of the RLE/bit-packed hybrid from `reader` (up to its end) into `out`
 * starting at `at`, and returns the largest value decoded, for the caller to check against its
 * maximum. Bit-packed runs may hold more values than wanted (they pad to 8, DuckDB's to 256), which
 * are skipped; an RLE run past the values wanted, or an empty bit-packed run, is damage, refused
 * because hyparquet reads those differently (it grows its arrays by the surplus of an RLE run, and
 * skips a byte for an empty bit-packed run).
 */
export function readHybrid(
  reader: PageReader,
  bitWidth: number,
  out: Uint8Array | Int32Array,
  at: number,
  count: number,
): number {
  if (bitWidth > 32) throw new FormatError(`page data has a bit width of ${bitWidth}`)
  const stop = at + count
  let index = at
  let largest = 0
  const bytes = reader.bytes
  while (index < stop) {
    const header = reader.varint()
    if (header & 1) {
      const values = Math.floor(header / 2) * 8
      if (values === 0) throw new FormatError('an empty bit-packed run')
      const byteCount = Math.ceil((values * bitWidth) / 8)
      reader.need(byteCount)
      const mask = bitWidth === 32 ? 0xffffffff : (1 << bitWidth) - 1
      let position = reader.offset
      let pending = 0
      let bits = 0
      for (let v = 0; v < values; v++) {
        // at most 7 + 32 pending bits: kept exact in a double
        while (bits < bitWidth) {
          pending += bytes[position++]! * 2 ** bits
          bits += 8
        }
        const value = bitWidth <= 24 ? pending & mask : pending % 2 ** bitWidth
        pending = bitWidth <= 24 ? pending >>> bitWidth : Math.floor(pending / 2 ** bitWidth)
        bits -= bitWidth
        if (index < stop) {
          out[index++] = value
          if (value > largest) largest = value
        }
      }
      reader.offset += byteCount
    } else {
      const run = Math.floor(header / 2)
      if (run > stop - index) throw new FormatError(`a run of ${run} values where ${stop - index} remain`)
      const width = (bitWidth + 7) >> 3
      reader.need(width)
      let value = 0
      for (let i = 0; i < width; i++) value += bytes[reader.offset + i]! * 2 ** (8 * i)
      reader.offset += width
      out.fill(value, index, index + run)
      index += run
      if (value > largest) largest = value
    }
  }
  return largest
}

const decoder = new TextDecoder()

/**
 * UTF-8 text of `bytes[start, end)`, as hyparquet decodes it (TextDecoder, invalid sequences as
 * U+FFFD). Short ASCII text, the bulk of most columns, is read as Latin-1, which is the same for
 * ASCII and skips most of the decoder's per-call cost.
 */
function utf8(reader: PageReader, start: number, end: number): string {
  const { bytes } = reader
  if (end - start <= 32) {
    let ascii = true
    for (let i = start; i < end; i++) {
      if (bytes[i]! >= 0x80) {
        ascii = false
        break
      }
    }
    if (ascii) return reader.buffer.toString('latin1', start, end)
  }
  return decoder.decode(bytes.subarray(start, end))
}

/** `count` PLAIN BYTE_ARRAY values as text. */
export function readPlainStrings(reader: PageReader, count: number, out: unknown[], at: number): void {
  const { view } = reader
  for (let i = 0; i < count; i++) {
    reader.need(4)
    const length = view.getUint32(reader.offset, true)
    const start = reader.offset + 4
    reader.offset = start
    reader.need(length)
    reader.offset = start + length
    out[at + i] = utf8(reader, start, start + length)
  }
}

/** `count` PLAIN booleans: bit-packed, LSB first. */
export function readPlainBooleans(reader: PageReader, count: number, out: unknown[], at: number): void {
  reader.need(Math.ceil(count / 8))
  const { bytes, offset } = reader
  for (let i = 0; i < count; i++) out[at + i] = (bytes[offset + (i >> 3)]! & (1 << (i & 7))) !== 0
  reader.offset += Math.ceil(count / 8)
}
