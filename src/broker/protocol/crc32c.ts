/**
 * CRC-32C (Castagnoli), the checksum of Kafka record batches v2. Node's zlib only has CRC-32
 * (IEEE), so this is table-driven slicing-by-8: every produced byte is checked once at produce
 * time and once more at recovery, so it must be fast.
 */
const POLYNOMIAL = 0x82f63b78
const TABLES = buildTables()

function buildTables(): Int32Array[] {
  const tables = Array.from({ length: 8 }, () => new Int32Array(256))
  const first = tables[0]!
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLYNOMIAL : c >>> 1
    first[n] = c
  }
  for (let n = 0; n < 256; n++) {
    let c = first[n]!
    for (let t = 1; t < 8; t++) {
      c = first[c & 0xff]! ^ (c >>> 8)
      tables[t]![n] = c
    }
  }
  return tables
}

const [T0, T1, T2, T3, T4, T5, T6, T7] = TABLES as [
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
  Int32Array,
]

/** CRC-32C of `data[start, end)` as an unsigned 32-bit number. */
export function crc32c(data: Uint8Array, start = 0, end = data.length): number {
  let crc = -1
  let i = start
  for (; i + 8 <= end; i += 8) {
    const a = crc ^ (data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24))
    crc =
      T7[a & 0xff]! ^
      T6[(a >>> 8) & 0xff]! ^
      T5[(a >>> 16) & 0xff]! ^
      T4[a >>> 24]! ^
      T3[data[i + 4]!]! ^
      T2[data[i + 5]!]! ^
      T1[data[i + 6]!]! ^
      T0[data[i + 7]!]!
  }
  for (; i < end; i++) crc = T0[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8)
  return (crc ^ -1) >>> 0
}
