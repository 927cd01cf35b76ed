import { describe, expect, it } from 'vitest'
import { crc32c } from '../../../../src/broker/protocol/crc32c.js'

describe('crc32c', () => {
  // The standard check value and the RFC 3720 (iSCSI) appendix B.4 vectors.
  it.each([
    ['"123456789"', Buffer.from('123456789'), 0xe3069283],
    ['32 zero bytes', Buffer.alloc(32, 0), 0x8a9136aa],
    ['32 0xff bytes', Buffer.alloc(32, 0xff), 0x62a8ab43],
    ['bytes 0..31', Buffer.from(Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e],
    ['bytes 31..0', Buffer.from(Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c],
    ['empty input', Buffer.alloc(0), 0],
  ])('%s', (_name, data, expected) => {
    expect(crc32c(data)).toBe(expected)
  })

  it('checksums a sub-range, agreeing with a copy of that range', () => {
    const data = Buffer.from('xx123456789yy')
    expect(crc32c(data, 2, 11)).toBe(0xe3069283)
  })

  it('gives the same answer on both sides of the 8-byte fast path', () => {
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 31) & 0xff))
    for (const end of [1, 7, 8, 9, 15, 16, 17, 999, 1000]) {
      let slow = 0xffffffff
      for (let i = 0; i < end; i++) {
        slow ^= data[i]!
        for (let k = 0; k < 8; k++) slow = slow & 1 ? (slow >>> 1) ^ 0x82f63b78 : slow >>> 1
      }
      expect(crc32c(data, 0, end)).toBe((slow ^ 0xffffffff) >>> 0)
    }
  })
})
