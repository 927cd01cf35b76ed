/**
 * LZ4 page decompression, bounds-checked: hyparquet-compressors' decoder writes into a buffer of the
 * page's declared size and ignores how much it filled, so a damaged page would read as zeros.
 * Here every length is checked and the output must be exactly the declared size.
 */

class Lz4Error extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'Lz4Error'
  }
}

/** A run length: `start` plus 255-valued bytes and the first byte below 255. */
function runLength(input: Uint8Array, at: { i: number }, start: number): number {
  let length = start
  if (start !== 15) return length
  for (;;) {
    if (at.i >= input.length) throw new Lz4Error('a length runs past the end of the block')
    const byte = input[at.i++]!
    length += byte
    if (byte !== 255) return length
  }
}

/** Decodes one LZ4 block into `output` from `start`; returns the bytes written. */
function block(input: Uint8Array, output: Uint8Array, start: number): number {
  const at = { i: 0 }
  let o = start
  while (at.i < input.length) {
    const token = input[at.i++]!
    const literals = runLength(input, at, token >> 4)
    if (at.i + literals > input.length) throw new Lz4Error('literals run past the end of the block')
    if (o + literals > output.length) throw new Lz4Error('the block holds more than the page declares')
    output.set(input.subarray(at.i, at.i + literals), o)
    at.i += literals
    o += literals
    // the last sequence is literals only
    if (at.i === input.length) break
    if (at.i + 2 > input.length) throw new Lz4Error('a match offset runs past the end of the block')
    const offset = input[at.i]! | (input[at.i + 1]! << 8)
    at.i += 2
    if (offset === 0 || offset > o) throw new Lz4Error(`a match offset of ${offset} points before the data`)
    const length = runLength(input, at, token & 15) + 4
    if (o + length > output.length) throw new Lz4Error('the block holds more than the page declares')
    // matches may overlap what they produce, so byte by byte
    for (let from = o - offset, end = o + length; o < end; ) output[o++] = output[from++]!
  }
  return o - start
}

/** LZ4_RAW: one block, exactly `outputLength` bytes. */
export function lz4Raw(input: Uint8Array, outputLength: number): Uint8Array {
  const output = new Uint8Array(outputLength)
  const written = block(input, output, 0)
  if (written !== outputLength)
    throw new Lz4Error(`the block holds ${written} bytes, the page declares ${outputLength}`)
  return output
}

/**
 * LZ4 (the deprecated codec): Hadoop's framing, blocks each preceded by their big-endian
 * uncompressed and compressed sizes, as parquet-mr and Arrow write it; input that is not framed that
 * way is read as one raw block, as Arrow does.
 */
export function lz4Hadoop(input: Uint8Array, outputLength: number): Uint8Array {
  const view = new DataView(input.buffer, input.byteOffset, input.byteLength)
  const output = new Uint8Array(outputLength)
  let i = 0
  let o = 0
  while (i + 8 <= input.length) {
    const size = view.getUint32(i)
    const compressed = view.getUint32(i + 4)
    if (i + 8 + compressed > input.length || o + size > outputLength) break
    try {
      if (block(input.subarray(i + 8, i + 8 + compressed), output, o) !== size) break
    } catch {
      break
    }
    i += 8 + compressed
    o += size
    if (i === input.length && o === outputLength) return output
  }
  return lz4Raw(input, outputLength)
}
