import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FormatError, UnsupportedError } from '../../../../src/errors.js'
import {
  formatInspection,
  type Inspection,
  inspectObject,
  type TextInspection,
} from '../../../../src/ops/debug/inspect.js'
import { openObjectUrl } from '../../../../src/ops/debug/source.js'
import { writeLocalNight } from './night.js'

const night = writeLocalNight()
const fixture = (name: string) => new URL(`../../../fixtures/formats/${name}`, import.meta.url).pathname

async function inspect(path: string): Promise<Inspection> {
  return inspectObject(await openObjectUrl(path, night.config))
}

describe('inspect on Parquet', () => {
  it('describes schema, row groups and statistics from the footer alone', async () => {
    const file = night.largest
    const inspection = await inspect(night.path(file))
    if (inspection.format !== 'parquet' || !inspection.parquet) throw new Error('expected a Parquet inspection')
    const { parquet } = inspection
    expect(inspection).toMatchObject({ compression: 'none', size: file.bytes.length })
    expect(parquet.rows).toBe(file.expect.rows)
    expect(parquet.columns.map((c) => c.name)).toEqual([
      'order_id',
      'customer_id',
      'ordered_at',
      'shipped_at',
      'amount',
      'currency',
      'country',
      'quantity',
      'note',
    ])
    expect(parquet.columns.find((c) => c.name === 'ordered_at')).toMatchObject({
      physicalType: 'INT64',
      logicalType: 'TIMESTAMP(MILLIS,UTC)',
    })
    expect(parquet.rowGroups.map((g) => g.rows)).toEqual([5000, 5000, 5000, 5000])
    expect(parquet.rowGroups.every((g) => g.compressedBytes > 0 && g.codecs.length > 0)).toBe(true)
    // fetched: the four magic bytes at the start, then the footer and nothing else
    expect(inspection.bytesFetched).toBe(4 + parquet.footerBytes)
    expect(inspection.bytesFetched).toBeLessThan(file.bytes.length / 10)
  })

  it('reports statistics as the writer recorded them', async () => {
    const inspection = await inspect(night.path(night.largest))
    if (inspection.format !== 'parquet' || !inspection.parquet) throw new Error('expected a Parquet inspection')
    for (const stat of inspection.parquet.statistics) {
      expect(stat.column).toMatch(/^[a-z_]+$/)
      if (stat.min !== undefined && stat.max !== undefined && typeof stat.min === 'number') {
        expect(stat.min).toBeLessThanOrEqual(stat.max as number)
      }
    }
    const lines = formatInspection(inspection)
    expect(lines[0]).toBe(night.path(night.largest))
    expect(lines).toContain('columns')
    expect(lines.some((line) => /^rows +20,000 in 4 row groups$/.test(line))).toBe(true)
  })

  it('fails a truncated upload with FormatError, as the worker would', async () => {
    await expect(inspect(night.path(night.corrupt))).rejects.toBeInstanceOf(FormatError)
  })

  it('reads footers of files written elsewhere, with nested columns and other codecs', async () => {
    const path = join(night.dir, 'list_columns.parquet')
    copyFileSync(new URL('../../../fixtures/parquet/list_columns.parquet', import.meta.url), path)
    const inspection = await inspect(path)
    if (inspection.format !== 'parquet' || !inspection.parquet) throw new Error('expected a Parquet inspection')
    expect(inspection.parquet.columns.map((c) => [c.name, c.physicalType, c.logicalType])).toEqual([
      ['int64_list', 'GROUP', 'LIST'],
      ['utf8_list', 'GROUP', 'LIST'],
    ])
    expect(inspection.parquet.statistics.map((s) => s.column)).toEqual(['int64_list.list.item', 'utf8_list.list.item'])
  })
})

describe('inspect on text formats', () => {
  it('shows the CSV header, also through gzip', async () => {
    const plain = await inspect(fixture('orders.csv'))
    expect(plain).toMatchObject({ format: 'csv', compression: 'none', header: expect.arrayContaining(['order_id']) })
    const gzipped = await inspect(fixture('orders.csv.gz'))
    expect(gzipped).toMatchObject({ format: 'csv', compression: 'gzip', header: (plain as TextInspection).header })
    expect(formatInspection(gzipped)).toContain('format        csv, gzip-compressed')
  })

  it("shows the first NDJSON record's keys", async () => {
    expect(await inspect(fixture('orders.ndjson'))).toMatchObject({
      format: 'ndjson',
      firstRecordKeys: ['order_id', 'customer_id', 'ordered_at', 'amount', 'currency', 'country', 'quantity'],
    })
  })

  it('refuses files it cannot place', async () => {
    await expect(inspect(fixture('not-gzip.csv.gz'))).rejects.toBeInstanceOf(FormatError)
    await expect(inspect(fixture('README.md'))).rejects.toBeInstanceOf(UnsupportedError)
  })
})
