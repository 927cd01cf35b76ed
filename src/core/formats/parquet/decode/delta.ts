/**
 * A walk over DELTA_BINARY_PACKED streams, checking their structure before hyparquet decodes them:
 * its decoder trusts the block header, so a block or miniblock size of zero never advances and
 * loops for ever, and it reads lengths that run past the page as bytes of the next one. With an
 * `out` array, the walk also decodes the (32-bit) values, as the byte-array encodings need their
 * lengths checked.
 */
import { FormatError } from '../../../../errors.js'
import type { PageReader } from './pages.js'

/** A varint of up to `maxBytes` bytes, exact below 2^53 (a 64-bit one may lose low bits, not length). */
function varint(reader: PageReader, maxBytes: number): number {
  let value = 0
  for (let i = 0; i < maxBytes; i++) {
    reader.need(1)
    const byte = reader.bytes[reader.offset++]!
    value += (byte & 0x7f) * 2 ** (7 * i)
    if (byte < 0x80) return value
  }
  throw new FormatError(`a delta-encoded varint longer than ${maxBytes} bytes`)
}

/** A zigzag varint's value modulo 2^32, as an int32 (what INT32 delta arithmetic keeps). */
function zigzag32(zigzag: number): number {
  return (zigzag % 2 === 0 ? zigzag / 2 : -(zigzag + 1) / 2) | 0
}

/**
 * Walks one DELTA_BINARY_PACKED stream of `count` values of `type` and leaves `reader` after it (the
 * end of its last needed miniblock, as the spec and hyparquet place it). `out`, if given, receives
 * the values (INT32 only). Throws FormatError.
 */
export function walkDeltaBinary(reader: PageReader, count: number, type: 'INT32' | 'INT64', out?: Int32Array): void {
  // hyparquet reads an INT32 stream's varints with 32-bit arithmetic: longer ones would read differently
  const varintBytes = type === 'INT32' ? 5 : 10
  const blockSize = varint(reader, 5)
  const miniblocks = varint(reader, 5)
  const total = varint(reader, 5)
  const perMiniblock = blockSize / miniblocks
  if (
    blockSize === 0 ||
    blockSize > 0x7fffffff ||
    blockSize % 128 !== 0 ||
    !Number.isInteger(perMiniblock) ||
    perMiniblock % 32 !== 0
  ) {
    throw new FormatError(`a delta block of ${blockSize} values in ${miniblocks} miniblocks`)
  }
  if (total !== count) throw new FormatError(`a delta stream of ${total} values where the page holds ${count}`)
  const first = varint(reader, varintBytes)
  if (type === 'INT32' && first > 0xffffffff) throw new FormatError('an INT32 delta stream starting beyond 32 bits')
  let value = zigzag32(first)
  if (out && count > 0) out[0] = value
  const maxWidth = type === 'INT32' ? 32 : 64
  const { bytes } = reader
  for (let done = Math.min(count, 1); done < count; ) {
    const minDelta = zigzag32(varint(reader, varintBytes))
    reader.need(miniblocks)
    const widths = reader.offset
    reader.offset += miniblocks
    for (let m = 0; m < miniblocks && done < count; m++) {
      const width = bytes[widths + m]!
      if (width > maxWidth) throw new FormatError(`a delta miniblock of ${width}-bit ${type} values`)
      const size = (perMiniblock * width) / 8
      reader.need(size)
      const n = Math.min(perMiniblock, count - done)
      if (out) {
        let bit = reader.offset * 8
        for (let i = 0; i < n; i++, bit += width) {
          let residual = 0
          for (let b = 0; b < width; b++) {
            const at = bit + b
            residual += ((bytes[at >> 3]! >> (at & 7)) & 1) * 2 ** b
          }
          value = (value + minDelta + residual) | 0
          out[done + i] = value
        }
      }
      done += n
      reader.offset += size
    }
  }
}
