/**
 * Pages as other writers make them, valid and damaged, made page by page (craft.ts) and read with
 * both decoders: every valid one reads the same, every damaged one ends in FERRY_FORMAT naming the
 * page, never a null where a value or an empty list belongs.
 */
import type { CompressionCodec, SchemaElement } from 'hyparquet'
import { describe, expect, it } from 'vitest'
import { bytesReader, openParquet } from '../../../../../src/core/formats/parquet.js'
import { FormatError, UnsupportedError } from '../../../../../src/errors.js'
import { craftParquet, hybrid, plainInt32, rawHeader, v1Page, v2Page } from './craft.js'

const DECODERS = ['fast', 'hyparquet'] as const
const CODECS: CompressionCodec[] = ['UNCOMPRESSED', 'SNAPPY', 'GZIP', 'BROTLI', 'ZSTD', 'LZ4', 'LZ4_RAW']

/** Each column's values with one decoder; a null row is null (hyparquet leaves nested ones undefined). */
async function read(bytes: Uint8Array, decoder: (typeof DECODERS)[number]): Promise<Record<string, unknown[]>> {
  const input = await openParquet(bytesReader(bytes))
  const columns: Record<string, unknown[]> = {}
  for await (const batch of input.batches({ decoder })) {
    for (const [name, values] of Object.entries(batch.columns)) {
      columns[name] = [...(columns[name] ?? []), ...Array.from(values, (value) => value ?? null)]
    }
  }
  return columns
}

async function readError(bytes: Uint8Array, decoder: (typeof DECODERS)[number]): Promise<Error> {
  const err = await read(bytes, decoder).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err, `${decoder} should refuse the file`).toBeInstanceOf(Error)
  return err as Error
}

const root = (children: number): SchemaElement => ({ name: 'root', num_children: children })
/** an optional INT32 the fast decoder reads, and an optional DECIMAL left to hyparquet by both */
const FLAT: SchemaElement = { name: 'n', type: 'INT32', repetition_type: 'OPTIONAL' }
const DECIMAL: SchemaElement = { ...FLAT, name: 'd', converted_type: 'DECIMAL', scale: 2, precision: 9 }

describe('empty and all-null pages', () => {
  for (const codec of CODECS) {
    for (const version of ['v1', 'v2', 'v2 with no values section'] as const) {
      it(`reads them in ${version} pages under ${codec}`, async () => {
        const page = version === 'v1' ? v1Page : v2Page
        const emptyBody = version === 'v2 with no values section'
        const chunk = (name: string) => ({
          path: [name],
          type: 'INT32' as const,
          codec,
          pages: [
            // a page of no rows, one of three nulls, then one with values
            page({ values: 0, def: { levels: [], max: 1 }, data: new Uint8Array(0), codec, emptyBody }),
            page({ values: 3, def: { levels: [0, 0, 0], max: 1 }, data: new Uint8Array(0), codec, emptyBody }),
            page({ values: 2, def: { levels: [1, 0], max: 1 }, data: plainInt32([125]), codec }),
          ],
        })
        const bytes = craftParquet([root(2), FLAT, DECIMAL], [{ rows: 5, columns: [chunk('n'), chunk('d')] }])
        for (const decoder of DECODERS) {
          expect(await read(bytes, decoder), decoder).toEqual({
            n: [null, null, null, 125, null],
            d: [null, null, null, 1.25, null],
          })
        }
      })
    }
  }
})

describe('levels', () => {
  it('refuses a definition level above the maximum, in a column of either decoder', async () => {
    // levels 1, 2, 1 in RLE runs of one, as damage leaves them: hyparquet read the 2 as a null
    const defBytes = Uint8Array.from([2, 1, 2, 2, 2, 1])
    for (const element of [FLAT, DECIMAL]) {
      const page = v1Page({ values: 3, defBytes, data: plainInt32([1, 2]) })
      const bytes = craftParquet(
        [root(1), element],
        [{ rows: 3, columns: [{ path: [element.name], type: 'INT32', pages: [page] }] }],
      )
      for (const decoder of DECODERS) {
        const err = await readError(bytes, decoder)
        expect(err).toBeInstanceOf(FormatError)
        expect(err.message).toBe(
          `corrupt Parquet data in rows 0-2: column ${element.name}: definition level out of range in row group 0, ` +
            "page 0 (DATA_PAGE at byte 4): found 2, the column's maximum is 1",
        )
      }
    }
  })

  it('refuses a definition level above the maximum that fits the bit width', async () => {
    const list: SchemaElement[] = [
      root(1),
      { name: 'l', repetition_type: 'OPTIONAL', num_children: 1, converted_type: 'LIST' },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'INT32', repetition_type: 'REQUIRED' },
    ]
    // maximum 2, two bits wide: a 3 fits the bits but not the schema
    const page = v1Page({
      values: 2,
      def: { levels: [2, 3], max: 3 },
      rep: { levels: [0, 0], max: 1 },
      data: plainInt32([7, 8]),
    })
    const bytes = craftParquet(list, [
      { rows: 2, columns: [{ path: ['l', 'list', 'element'], type: 'INT32', pages: [page] }] },
    ])
    for (const decoder of DECODERS) {
      expect((await readError(bytes, decoder)).message).toMatch(
        /column l: definition level out of range in row group 0, leaf l\.list\.element, page 0 \(DATA_PAGE at byte 4\): found 3, the column's maximum is 2$/,
      )
    }
  })

  it('refuses a repetition level that continues a list no value opened', async () => {
    const list: SchemaElement[] = [root(1), { name: 'x', type: 'INT32', repetition_type: 'REPEATED' }]
    const page = (rep: number[], def: number[]) =>
      v1Page({
        values: rep.length,
        def: { levels: def, max: 1 },
        rep: { levels: rep, max: 1 },
        data: plainInt32([1, 2, 3]),
      })
    const cases: Array<[number[], number[], RegExp]> = [
      [[1, 0, 0], [1, 1, 1], /value 0 continues a level-1 list but the column chunk starts there$/],
      [
        [0, 1, 0],
        [0, 1, 1],
        /value 1 continues a level-1 list that value 0 left empty or null \(definition level 0, the list needs 1\)$/,
      ],
    ]
    for (const [rep, def, message] of cases) {
      const bytes = craftParquet(list, [
        { rows: 3, columns: [{ path: ['x'], type: 'INT32', pages: [page(rep, def)] }] },
      ])
      for (const decoder of DECODERS) expect((await readError(bytes, decoder)).message).toMatch(message)
    }
  })
})

describe('lists of older writers', () => {
  const int32 = (name: string, repetition: 'REQUIRED' | 'OPTIONAL' | 'REPEATED'): SchemaElement => ({
    name,
    type: 'INT32',
    repetition_type: repetition,
  })
  const group = (name: string, repetition: 'REQUIRED' | 'OPTIONAL' | 'REPEATED', children: number, list = false) =>
    ({
      name,
      repetition_type: repetition,
      num_children: children,
      ...(list ? { converted_type: 'LIST' } : {}),
    }) as SchemaElement
  const page = (def: number[], maxDef: number, rep: number[], data: number[]) =>
    v1Page({
      values: def.length,
      def: { levels: def, max: maxDef },
      rep: { levels: rep, max: 1 },
      data: plainInt32(data),
    })
  const cases: Array<[string, SchemaElement[], string[], ReturnType<typeof page>, unknown[]]> = [
    [
      'a repeated primitive',
      [root(1), int32('x', 'REPEATED')],
      ['x'],
      page([1, 1, 0, 1], 1, [0, 1, 0, 0], [1, 2, 3]),
      [[1, 2], [], [3]],
    ],
    [
      'a repeated primitive in a struct',
      [root(1), group('s', 'OPTIONAL', 1), int32('xs', 'REPEATED')],
      ['s', 'xs'],
      page([2, 1, 0], 2, [0, 0, 0], [1]),
      [{ xs: [1] }, { xs: [] }, null],
    ],
    [
      'a two-level LIST of a primitive',
      [root(1), group('l', 'OPTIONAL', 1, true), int32('element', 'REPEATED')],
      ['l', 'element'],
      page([2, 1, 0], 2, [0, 0, 0], [1]),
      [[1], [], null],
    ],
    [
      'a two-level LIST of a one-field group named array',
      [root(1), group('l', 'OPTIONAL', 1, true), group('array', 'REPEATED', 1), int32('a', 'REQUIRED')],
      ['l', 'array', 'a'],
      page([2, 1, 0], 2, [0, 0, 0], [1]),
      [[{ a: 1 }], [], null],
    ],
    [
      'a repeated group',
      [root(1), group('p', 'REPEATED', 1), int32('a', 'REQUIRED')],
      ['p', 'a'],
      page([1, 0, 1, 1], 1, [0, 0, 0, 1], [1, 2, 3]),
      [[{ a: 1 }], [], [{ a: 2 }, { a: 3 }]],
    ],
  ]
  for (const [shape, schema, path, chunkPage, expected] of cases) {
    it(`reads ${shape}, empty lists as []`, async () => {
      const bytes = craftParquet(schema, [
        { rows: expected.length, columns: [{ path, type: 'INT32', pages: [chunkPage] }] },
      ])
      for (const decoder of DECODERS) expect(Object.values(await read(bytes, decoder))[0], decoder).toEqual(expected)
    })
  }

  it('reads a two-level LIST of a group of several fields as a list of structs', async () => {
    const schema = [
      root(1),
      group('l', 'OPTIONAL', 1, true),
      group('x', 'REPEATED', 2),
      int32('a', 'REQUIRED'),
      int32('b', 'REQUIRED'),
    ]
    const bytes = craftParquet(schema, [
      {
        rows: 2,
        columns: [
          { path: ['l', 'x', 'a'], type: 'INT32', pages: [page([2, 1], 2, [0, 0], [1])] },
          { path: ['l', 'x', 'b'], type: 'INT32', pages: [page([2, 1], 2, [0, 0], [2])] },
        ],
      },
    ])
    for (const decoder of DECODERS) expect((await read(bytes, decoder)).l).toEqual([[{ a: 1, b: 2 }], []])
  })

  it('refuses levels in the deprecated BIT_PACKED encoding, naming the column', async () => {
    const page = v1Page({ values: 2, def: { levels: [1, 1], max: 1 }, data: plainInt32([1, 2]) })
    const raw = rawHeader(page)
    ;(raw.field_5 as Record<string, number>).field_3 = 4 // BIT_PACKED definition levels
    const bytes = craftParquet(
      [root(1), FLAT],
      [{ rows: 2, columns: [{ path: ['n'], type: 'INT32', pages: [{ header: { raw }, stored: page.stored }] }] }],
    )
    for (const decoder of DECODERS) {
      const err = await readError(bytes, decoder)
      expect(err).toBeInstanceOf(UnsupportedError)
      expect(err).toMatchObject({ feature: 'parquet-bit-packed-levels' })
      expect(err.message).toMatch(
        /^column n: definition levels in the deprecated BIT_PACKED encoding in row group 0, page 0/,
      )
    }
  })
})

describe('counts and indices that disagree', () => {
  const dictionaryChunk = (name: string, index: number) => ({
    path: [name],
    type: 'INT32' as const,
    pages: [
      {
        header: {
          type: 'DICTIONARY_PAGE' as const,
          uncompressed_page_size: 8,
          compressed_page_size: 8,
          dictionary_page_header: { num_values: 2, encoding: 'PLAIN' as const },
        },
        stored: plainInt32([10, 20]),
      },
      v1Page({
        values: 3,
        encoding: 'RLE_DICTIONARY',
        def: { levels: [1, 1, 1], max: 1 },
        data: Uint8Array.from([3, ...hybrid([0, 1, index], 3)]),
      }),
    ],
  })

  it('refuses a dictionary index beyond the dictionary, in a column of either decoder', async () => {
    for (const [name, element] of [
      ['n', FLAT],
      ['d', DECIMAL],
    ] as const) {
      const good = craftParquet([root(1), element], [{ rows: 3, columns: [dictionaryChunk(name, 1)] }])
      const bad = craftParquet([root(1), element], [{ rows: 3, columns: [dictionaryChunk(name, 5)] }])
      for (const decoder of DECODERS) {
        expect((await read(good, decoder))[name], decoder).toEqual(name === 'n' ? [10, 20, 20] : [0.1, 0.2, 0.2])
        expect((await readError(bad, decoder)).message).toMatch(
          new RegExp(
            `column ${name}: dictionary index out of range in row group 0, page 1 \\(DATA_PAGE at byte \\d+\\): found 5, the dictionary has 2 entries$`,
          ),
        )
      }
    }
  })

  it("refuses pages whose values disagree with the chunk's count in the footer", async () => {
    const pages = [v1Page({ values: 2, def: { levels: [1, 1], max: 1 }, data: plainInt32([1, 2]) })]
    for (const element of [FLAT, DECIMAL]) {
      const bytes = craftParquet(
        [root(1), element],
        [{ rows: 2, columns: [{ path: [element.name], type: 'INT32', pages, numValues: 3 }] }],
      )
      for (const decoder of DECODERS) {
        expect((await readError(bytes, decoder)).message).toMatch(
          /^corrupt Parquet footer: row group 0, column \w: 3 values in a row group of 2 rows$/,
        )
      }
    }
    const list: SchemaElement[] = [root(1), { name: 'x', type: 'INT32', repetition_type: 'REPEATED' }]
    const page = v1Page({
      values: 3,
      def: { levels: [1, 1, 1], max: 1 },
      rep: { levels: [0, 1, 0], max: 1 },
      data: plainInt32([1, 2, 3]),
    })
    const bytes = craftParquet(list, [
      { rows: 2, columns: [{ path: ['x'], type: 'INT32', pages: [page], numValues: 4 }] },
    ])
    for (const decoder of DECODERS) {
      expect((await readError(bytes, decoder)).message).toMatch(
        /column x: the pages hold 3 values, the footer says 4 in row group 0 \(column chunk at byte 4\)$/,
      )
    }
  })

  it('refuses a version 2 page whose null or row count disagrees with its levels', async () => {
    const page = v2Page({ values: 3, def: { levels: [1, 0, 1], max: 1 }, data: plainInt32([1, 2]) })
    for (const [field, message] of [
      ['field_2', /the header says 0 nulls, the levels hold 1$/],
      ['field_3', /the header says 0 rows, the levels hold 3$/],
    ] as const) {
      const raw = rawHeader(page)
      ;(raw.field_8 as Record<string, number>)[field] = 0
      const bytes = craftParquet(
        [root(1), DECIMAL],
        [{ rows: 3, columns: [{ path: ['d'], type: 'INT32', pages: [{ header: { raw }, stored: page.stored }] }] }],
      )
      for (const decoder of DECODERS) expect((await readError(bytes, decoder)).message).toMatch(message)
    }
  })
})
