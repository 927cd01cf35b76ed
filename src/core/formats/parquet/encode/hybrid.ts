import type { ByteBuffer } from './buffer.js'

/** At least this many equal values make an RLE run; shorter stretches are bit-packed. */
const MIN_RUN = 8
/**
 * Groups of 8 per bit-packed run. The header is a varint and could say more, but parquet-mr writes at
 * most 63 (a one-byte header) and some readers size their buffers by that.
 */
const MAX_PACKED_GROUPS = 63

function runLength(values: ArrayLike<number>, from: number, end: number): number {
  const first = values[from]
  let i = from + 1
  while (i < end && values[i] === first) i++
  return i - from
}

function writeRun(out: ByteBuffer, value: number, count: number, bitWidth: number): void {
  out.varint(count * 2)
  for (let shift = 0; shift < bitWidth; shift += 8) out.byte(Math.floor(value / 2 ** shift) & 0xff)
}

/** Bit-packs `groups * 8` values LSB first, reading zeros past `end` (readers stop at num_values). */
function writePacked(
  out: ByteBuffer,
  values: ArrayLike<number>,
  from: number,
  end: number,
  groups: number,
  bitWidth: number,
): void {
  out.varint(groups * 2 + 1)
  out.reserve(groups * bitWidth)
  const bytes = out.bytes
  let position = out.length
  const stop = from + groups * 8
  let pending = 0
  let bits = 0
  if (bitWidth <= 24) {
    // at most 7 + 24 pending bits: they fit a 32-bit integer
    for (let i = from; i < stop; i++) {
      pending |= (i < end ? values[i]! : 0) << bits
      bits += bitWidth
      while (bits >= 8) {
        bytes[position++] = pending & 0xff
        pending >>>= 8
        bits -= 8
      }
    }
  } else {
    // wider values overflow 32 bits, so accumulate in a double, exact below 2^53
    for (let i = from; i < stop; i++) {
      pending += (i < end ? values[i]! : 0) * 2 ** bits
      bits += bitWidth
      while (bits >= 8) {
        bytes[position++] = pending % 256
        pending = Math.floor(pending / 256)
        bits -= 8
      }
    }
  }
  out.length = position
}

/**
 * The RLE/bit-packed hybrid encoding of `values[from, end)` (definition levels, dictionary indices,
 * booleans in RLE pages), without the length prefix some page layouts put in front of it.
 * Values must be non-negative integers below 2^bitWidth.
 */
export function writeHybrid(
  out: ByteBuffer,
  values: ArrayLike<number>,
  from: number,
  end: number,
  bitWidth: number,
): void {
  let i = from
  while (i < end) {
    const run = runLength(values, i, end)
    if (run >= MIN_RUN || bitWidth === 0) {
      writeRun(out, values[i]!, run, bitWidth)
      i += run
      continue
    }
    // pack whole groups until a long run starts on a group boundary
    let groups = 1
    let next = i + 8
    while (
      next < end &&
      groups < MAX_PACKED_GROUPS &&
      runLength(values, next, Math.min(end, next + MIN_RUN)) < MIN_RUN
    ) {
      groups++
      next += 8
    }
    writePacked(out, values, i, end, groups, bitWidth)
    i = next
  }
}

/** Bits needed for values up to `max` (0 for a dictionary of one entry). */
export function bitWidthFor(max: number): number {
  let width = 0
  while (max >= 2 ** width) width++
  return width
}
