import { describe, expect, it } from 'vitest'
import { Reader } from '../../../../src/broker/protocol/reader.js'
import { Writer } from '../../../../src/broker/protocol/writer.js'
import { ProtocolError } from '../../../../src/errors.js'

const hex = (w: Writer) => w.toBuffer().toString('hex')
const reader = (h: string) => new Reader(Buffer.from(h, 'hex'))

describe('Writer / Reader primitives', () => {
  it('encodes fixed-width integers big-endian', () => {
    expect(hex(new Writer().int8(-1).int16(0x0102).int32(-2).uint32(0xfffffffe))).toBe('ff0102fffffffefffffffe')
    expect(hex(new Writer().int64(-1))).toBe('ffffffffffffffff')
    expect(hex(new Writer().int64(2 ** 40 + 5))).toBe('0000010000000005')
    const r = reader('ff0102fffffffefffffffe0000010000000005')
    expect([r.int8(), r.int16(), r.int32(), r.uint32(), r.int64()]).toEqual([-1, 0x0102, -2, 0xfffffffe, 2 ** 40 + 5])
  })

  // Vectors from the protobuf/Kafka varint spec: zig-zag maps 0,-1,1,-2,... to 0,1,2,3,...
  it.each([
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [-64, '7f'],
    [64, '8001'],
    [300, 'd804'],
    [2147483647, 'feffffff0f'],
    [-2147483648, 'ffffffff0f'],
  ])('varint %i <-> %s', (value, encoded) => {
    expect(hex(new Writer().varint(value))).toBe(encoded)
    expect(reader(encoded).varint()).toBe(value)
  })

  it('reads unsigned varints and varlongs beyond 32 bits', () => {
    expect(reader('ac02').uvarint()).toBe(300)
    // zig-zag of 2^40 is 2^41: 42 significant bits in six 7-bit groups
    expect(reader('808080808040').varlong()).toBe(2 ** 40)
    expect(reader('ffffffffff3f').varlong()).toBe(-(2 ** 40))
  })

  it('rejects varints that never end', () => {
    expect(() => reader('ffffffffffff').uvarint()).toThrow(ProtocolError)
  })

  it('encodes strings, nullable strings and bytes with length prefixes', () => {
    const w = new Writer()
      .string('héllo')
      .nullableString(null)
      .bytes(Buffer.from([1, 2]))
      .nullableBytes(null)
    expect(hex(w)).toBe('000668c3a96c6c6f' + 'ffff' + '000000020102' + 'ffffffff')
    const r = new Reader(w.toBuffer())
    expect([r.string(), r.nullableString(), [...r.bytes()], r.nullableBytes()]).toEqual(['héllo', null, [1, 2], null])
  })

  it('encodes compact (KIP-482) strings and arrays as length + 1', () => {
    const w = new Writer()
      .compactString('ab')
      .compactNullableString(null)
      .compactArray([7, 8], (w, n) => w.int8(n))
    expect(hex(w)).toBe('0361620003' + '0708')
    const r = new Reader(w.toBuffer())
    expect([r.compactString(), r.compactNullableString(), r.compactArray((r) => r.int8())]).toEqual([
      'ab',
      null,
      [7, 8],
    ])
  })

  it('skips tagged fields it does not know', () => {
    // two tagged fields: tag 0 with 2 bytes, tag 5 with 1 byte; then an int8 that must still be readable
    const r = reader('02' + '00' + '02' + 'aaaa' + '05' + '01' + 'bb' + '2a')
    r.skipTaggedFields()
    expect(r.int8()).toBe(42)
  })

  it('reads arrays and nullable arrays', () => {
    const w = new Writer().array([1, 2, 3], (w, n) => w.int32(n)).nullableArray(null, (w, n: number) => w.int32(n))
    const r = new Reader(w.toBuffer())
    expect(r.array((r) => r.int32())).toEqual([1, 2, 3])
    expect(r.nullableArray((r) => r.int32())).toBeNull()
  })

  it('throws ProtocolError instead of reading past the end', () => {
    expect(() => reader('0001').int32()).toThrow(ProtocolError)
    expect(() => reader('0005616263').string()).toThrow(/truncated/)
    expect(() => reader('ffff').string()).toThrow(ProtocolError)
  })

  it('refuses array counts larger than the bytes left instead of allocating', () => {
    expect(() => reader('7fffffff00').array((r) => r.int8())).toThrow(/array of 2147483647 items/)
  })

  it('keeps writing correctly when the working buffer is replaced mid-message', () => {
    const w = new Writer(4)
    const expected: number[] = []
    for (let i = 0; i < 1000; i++) {
      w.int32(i).string(`s${i}`)
      expected.push(i)
    }
    const r = new Reader(w.toBuffer())
    for (const i of expected) {
      expect(r.int32()).toBe(i)
      expect(r.string()).toBe(`s${i}`)
    }
    expect(r.remaining).toBe(0)
  })

  it('appends large buffers by reference and small ones by copy, in order', () => {
    const big = Buffer.alloc(100, 7)
    const w = new Writer()
      .int8(1)
      .raw(big)
      .raw(Buffer.from([9]))
      .int8(2)
    const chunks = w.toChunks()
    expect(chunks).toContain(big)
    expect(w.length).toBe(103)
    expect([...w.toBuffer()]).toEqual([1, ...big, 9, 2])
  })
})
