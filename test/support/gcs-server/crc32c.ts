/** CRC32C (Castagnoli, reflected polynomial 0x82F63B78), as GCS reports it in `crc32c` and `x-goog-hash`. */

const TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/** CRC32C of `data`, continuing from `previous` (the CRC of the bytes before it) when given. */
export function crc32c(data: Uint8Array, previous = 0): number {
  let crc = ~previous >>> 0
  for (let i = 0; i < data.length; i++) crc = TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8)
  return ~crc >>> 0
}

/** The GCS encoding: the 4 CRC bytes big-endian, base64. */
export function crc32cBase64(data: Uint8Array): string {
  const out = Buffer.alloc(4)
  out.writeUInt32BE(crc32c(data))
  return out.toString('base64')
}
