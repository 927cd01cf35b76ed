/**
 * Snappy compression (the raw block format Parquet pages use), after the reference implementation's
 * CompressFragment: 64 KiB blocks, a 2^14-entry hash table of 4-byte sequences, skipping ahead faster
 * through data that does not compress. hyparquet-writer ships a port too, but it appends through a
 * bounds-checked writer byte by byte; on Ferry's pages this one is several times faster, and the
 * pages are the bulk of the encoder's work.
 */

const BLOCK_BYTES = 1 << 16
const HASH_BITS = 14
/** bytes at the end of a block never searched for matches, so 4-byte loads stay in bounds */
const INPUT_MARGIN = 15

const table = new Uint16Array(1 << HASH_BITS)
let scratch = new Uint8Array(0)

function load32(bytes: Uint8Array, at: number): number {
  return bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)
}

function hash(value: number): number {
  return Math.imul(value, 0x1e35a7bd) >>> (32 - HASH_BITS)
}

function emitLiteral(src: Uint8Array, from: number, length: number, dst: Uint8Array, at: number): number {
  let op = at
  const n = length - 1
  if (n < 60) {
    dst[op++] = n << 2
  } else if (n < 0x100) {
    dst[op++] = 60 << 2
    dst[op++] = n
  } else {
    // a literal never spans blocks, so it is at most 64 KiB and two length bytes suffice
    dst[op++] = 61 << 2
    dst[op++] = n & 0xff
    dst[op++] = n >>> 8
  }
  // a loop beats allocating a subarray for the short literals that are most of them
  if (length < 64) {
    for (let i = 0; i < length; i++) dst[op + i] = src[from + i]!
  } else {
    dst.set(src.subarray(from, from + length), op)
  }
  return op + length
}

function emitShortCopy(dst: Uint8Array, at: number, offset: number, length: number): number {
  let op = at
  if (length < 12 && offset < 2048) {
    dst[op++] = 1 | ((length - 4) << 2) | ((offset >>> 8) << 5)
    dst[op++] = offset & 0xff
  } else {
    dst[op++] = 2 | ((length - 1) << 2)
    dst[op++] = offset & 0xff
    dst[op++] = offset >>> 8
  }
  return op
}

function emitCopy(dst: Uint8Array, at: number, offset: number, length: number): number {
  let op = at
  let rest = length
  while (rest >= 68) {
    op = emitShortCopy(dst, op, offset, 64)
    rest -= 64
  }
  if (rest > 64) {
    op = emitShortCopy(dst, op, offset, 60)
    rest -= 60
  }
  return emitShortCopy(dst, op, offset, rest)
}

/** Length of the common run of `src` at `a` and `b` (a < b), stopping at `end`. */
function matchLength(src: Uint8Array, a: number, b: number, end: number): number {
  let i = 0
  while (b + i + 4 <= end && load32(src, a + i) === load32(src, b + i)) i += 4
  while (b + i < end && src[a + i] === src[b + i]) i++
  return i
}

function compressBlock(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number): number {
  let op = at
  let nextEmit = start
  if (end - start >= INPUT_MARGIN) {
    table.fill(0)
    const limit = end - INPUT_MARGIN
    let ip = start + 1
    let nextHash = hash(load32(src, ip))
    search: for (;;) {
      // look for a 4-byte match, stepping further apart the longer nothing matches
      let skip = 32
      let nextIp = ip
      let candidate: number
      do {
        ip = nextIp
        const current = nextHash
        nextIp = ip + (skip++ >>> 5)
        if (nextIp > limit) break search
        nextHash = hash(load32(src, nextIp))
        candidate = start + table[current]!
        table[current] = ip - start
      } while (load32(src, ip) !== load32(src, candidate))
      op = emitLiteral(src, nextEmit, ip - nextEmit, dst, op)
      // emit copies for as long as the bytes right after a match match again
      for (;;) {
        const length = 4 + matchLength(src, candidate + 4, ip + 4, end)
        op = emitCopy(dst, op, ip - candidate, length)
        ip += length
        nextEmit = ip
        if (ip >= limit) break search
        table[hash(load32(src, ip - 1))] = ip - 1 - start
        const current = hash(load32(src, ip))
        candidate = start + table[current]!
        table[current] = ip - start
        if (load32(src, ip) !== load32(src, candidate)) break
      }
      nextHash = hash(load32(src, ++ip))
    }
  }
  if (nextEmit < end) op = emitLiteral(src, nextEmit, end - nextEmit, dst, op)
  return op
}

/** Snappy-compresses `input` into a new array. */
export function snappyCompress(input: Uint8Array): Uint8Array {
  const size = input.length
  const bound = 32 + size + Math.floor(size / 6)
  if (scratch.length < bound) scratch = new Uint8Array(bound)
  const dst = scratch
  let op = 0
  // preamble: the uncompressed length as a varint
  let rest = size
  while (rest > 0x7f) {
    dst[op++] = (rest & 0x7f) | 0x80
    rest >>>= 7
  }
  dst[op++] = rest
  for (let start = 0; start < size; start += BLOCK_BYTES) {
    op = compressBlock(input, start, Math.min(start + BLOCK_BYTES, size), dst, op)
  }
  return dst.slice(0, op)
}
