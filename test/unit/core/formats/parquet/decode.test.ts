import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { describe, expect, it } from 'vitest'
import { openParquet, writeParquet } from '../../../../../src/core/formats/parquet.js'
import { seededRandom } from '../../../../../src/core/sample-orders.js'
import { FormatError } from '../../../../../src/errors.js'
import { ALL_TYPES, ALL_TYPES_ROWS, recordingReader } from './support.js'

/** Each column's values, read batch by batch with each decoder (their batches need not line up). */
async function decodeBoth(bytes: Uint8Array, maxRows?: number) {
  const read = async (decoder: 'fast' | 'hyparquet') => {
    const input = await openParquet(recordingReader(bytes).reader)
    const columns: Record<string, unknown[]> = {}
    for await (const batch of input.batches({ maxRows, decoder })) {
      for (const [name, values] of Object.entries(batch.columns)) {
        columns[name] = [...(columns[name] ?? []), ...Array.from(values)]
      }
    }
    return columns
  }
  return { fast: await read('fast'), reference: await read('hyparquet') }
}

const FIXTURES = new URL('../../../../fixtures/parquet/', import.meta.url)
const CORPUS = new URL('../../../../../../shared/parquet-testing/data/', import.meta.url)

function parquetFiles(folder: URL): string[] {
  const path = fileURLToPath(folder)
  if (!existsSync(path)) return []
  return readdirSync(path)
    .filter((name) => name.endsWith('.parquet') && !name.startsWith('corrupt-page-hangs'))
    .map((name) => join(path, name))
}

describe('the fast flat-column decoder', () => {
  it.each([...parquetFiles(FIXTURES), ...parquetFiles(CORPUS)])(
    'decodes %s exactly as hyparquet does',
    async (path) => {
      const bytes = new Uint8Array(readFileSync(path))
      let decoded: Awaited<ReturnType<typeof decodeBoth>>
      try {
        decoded = await decodeBoth(bytes)
      } catch (err) {
        // a file neither decoder reads (an unsupported codec) must fail the same way both ways
        await expect(decodeBoth(bytes)).rejects.toThrow((err as Error).message)
        return
      }
      expect(decoded.fast).toEqual(decoded.reference)
    },
  )

  it('decodes what hyparquet-writer writes (v2 pages, dictionaries, nulls, every codec) exactly as hyparquet does', async () => {
    const random = seededRandom(23)
    const count = 3000
    const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)]!
    const maybe = <T>(value: T) => (random() < 0.2 ? null : value)
    const columnData = [
      {
        name: 'text',
        type: 'STRING' as const,
        data: Array.from({ length: count }, () => maybe(`é${Math.floor(random() * 50)}😀`)),
      },
      { name: 'code', type: 'STRING' as const, data: Array.from({ length: count }, () => pick(['EUR', 'USD', null])) },
      { name: 'flag', type: 'BOOLEAN' as const, data: Array.from({ length: count }, () => maybe(random() < 0.5)) },
      {
        name: 'i32',
        type: 'INT32' as const,
        data: Array.from({ length: count }, () => maybe(Math.floor(random() * 2e9) - 1e9)),
      },
      {
        name: 'i64',
        type: 'INT64' as const,
        data: Array.from({ length: count }, () => maybe(BigInt(Math.floor(random() * 1e15)) * 999n - 10n ** 17n)),
      },
      {
        name: 'f32',
        type: 'FLOAT' as const,
        data: Array.from({ length: count }, () => maybe(Math.fround(random() * 100))),
      },
      { name: 'f64', type: 'DOUBLE' as const, data: Array.from({ length: count }, () => maybe(random() * 1e6)) },
      {
        name: 'at',
        type: 'TIMESTAMP' as const,
        data: Array.from({ length: count }, () => maybe(new Date(Math.floor(random() * 4e12)))),
      },
      { name: 'dense', type: 'INT32' as const, nullable: false, data: Int32Array.from({ length: count }, (_, i) => i) },
    ]
    for (const codec of ['UNCOMPRESSED', 'SNAPPY', 'GZIP'] as const) {
      for (const pageSize of [1 << 20, 512]) {
        const bytes = new Uint8Array(
          parquetWriteBuffer({
            columnData,
            codec,
            pageSize,
            rowGroupSize: 1000,
            compressors: { GZIP: (input) => gzipSync(input) },
          }),
        )
        for (const maxRows of [undefined, 333]) {
          const { fast, reference } = await decodeBoth(bytes, maxRows)
          expect(fast, `${codec}, pages of ${pageSize} bytes, batches of ${maxRows}`).toEqual(reference)
        }
      }
    }
  })

  it("decodes Ferry's own files exactly as hyparquet does", async () => {
    const bytes = writeParquet(
      ALL_TYPES,
      Array.from({ length: 5000 }, (_, i) => ALL_TYPES_ROWS[i % ALL_TYPES_ROWS.length]!),
      {
        rowGroupSize: 1700,
      },
    )
    for (const maxRows of [undefined, 400]) {
      const { fast, reference } = await decodeBoth(bytes, maxRows)
      expect(fast).toEqual(reference)
    }
  })

  it('fails with FormatError, never a hang or a raw error, on damaged data pages', async () => {
    const random = seededRandom(99)
    const bytes = writeParquet(
      ALL_TYPES,
      Array.from({ length: 300 }, (_, i) => ALL_TYPES_ROWS[i % ALL_TYPES_ROWS.length]!),
      {
        rowGroupSize: 100,
      },
    )
    const footerLength = new DataView(bytes.buffer).getUint32(bytes.byteLength - 8, true)
    const dataEnd = bytes.byteLength - 8 - footerLength
    const outcomes = new Set<string>()
    for (let round = 0; round < 300; round++) {
      const damaged = bytes.slice()
      for (let flips = 1 + Math.floor(random() * 4); flips > 0; flips--) {
        damaged[4 + Math.floor(random() * (dataEnd - 4))] = Math.floor(random() * 256)
      }
      const input = await openParquet(recordingReader(damaged).reader)
      try {
        for await (const _ of input.batches()) {
          // reading is the test
        }
        outcomes.add('read')
      } catch (err) {
        if (!(err instanceof FormatError)) throw err
        outcomes.add(err.name)
      }
    }
    expect(outcomes).toContain('FormatError')
  })
})
