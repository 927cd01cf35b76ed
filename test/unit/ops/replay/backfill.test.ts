import { describe, expect, it } from 'vitest'
import type { DatasetInfo } from '../../../../src/core/dataset.js'
import { keyMatcher } from '../../../../src/core/keys.js'
import { selectForBackfill, selectObject } from '../../../../src/ops/replay/backfill.js'
import type { ObjectInfo, ObjectStore } from '../../../../src/ports.js'

const datasets = [{ name: 'orders', keys: [keyMatcher(/^orders\//)], priority: 0 }] as unknown as DatasetInfo[]
const window = { modifiedAfter: new Date('2026-11-23T00:00:00Z'), modifiedBefore: new Date('2026-11-24T00:00:00Z') }

function object(key: string, modified: string | undefined): ObjectInfo {
  return { bucket: 'landing', key, size: 1, ...(modified ? { lastModified: new Date(modified) } : {}) }
}

describe('selectObject', () => {
  it('keeps objects modified in [after, before) that match a dataset', () => {
    expect(selectObject(object('orders/a.parquet', '2026-11-23T00:00:00Z'), window, datasets)).toBe('take')
    expect(selectObject(object('orders/a.parquet', '2026-11-23T23:59:59Z'), window, datasets)).toBe('take')
    expect(selectObject(object('orders/a.parquet', '2026-11-22T23:59:59Z'), window, datasets)).toBe('outside')
    expect(selectObject(object('orders/a.parquet', '2026-11-24T00:00:00Z'), window, datasets)).toBe('outside')
    expect(selectObject(object('orders/a.parquet', undefined), window, datasets)).toBe('outside')
    expect(selectObject(object('orders/a.parquet', undefined), {}, datasets)).toBe('take')
  })

  it('ignores keys no dataset claims and folder markers', () => {
    expect(selectObject(object('orders/_SUCCESS', '2026-11-23T01:00:00Z'), {}, [])).toBe('ignored')
    expect(selectObject(object('refunds/a.parquet', '2026-11-23T01:00:00Z'), {}, datasets)).toBe('ignored')
    expect(selectObject(object('orders/', '2026-11-23T01:00:00Z'), {}, datasets)).toBe('ignored')
  })
})

describe('selectForBackfill', () => {
  it('sorts the whole listing into taken, ignored and outside', async () => {
    const listing = [
      object('orders/a.parquet', '2026-11-23T01:00:00Z'),
      object('orders/b.parquet', '2026-11-22T01:00:00Z'),
      object('misc/readme.txt', '2026-11-23T01:00:00Z'),
    ]
    const store = {
      async *list() {
        yield* listing
      },
    } as unknown as ObjectStore
    const selection = await selectForBackfill(store, 'landing', '', { modifiedAfter: window.modifiedAfter }, datasets)
    expect(selection.objects.map((o) => o.key)).toEqual(['orders/a.parquet'])
    expect(selection.ignored.map((o) => o.key)).toEqual(['misc/readme.txt'])
    expect(selection.outside).toBe(1)
  })
})
