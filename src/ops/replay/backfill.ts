import { type DatasetInfo, findDataset } from '../../core/dataset.js'
import type { ObjectInfo, ObjectStore } from '../../ports.js'

export interface BackfillFilter {
  /** keep objects last modified at or after this instant */
  modifiedAfter?: Date
  /** keep objects last modified strictly before this instant */
  modifiedBefore?: Date
}

export interface BackfillSelection {
  objects: ObjectInfo[]
  /** listed, inside the time window, but matching no dataset (markers, stray files) */
  ignored: ObjectInfo[]
  /** listed but outside the time window */
  outside: number
}

/** Pure: which listed objects a backfill enqueues. The window is half-open, [after, before). */
export function selectObject(
  info: ObjectInfo,
  filter: BackfillFilter,
  datasets: readonly DatasetInfo[],
): 'take' | 'ignored' | 'outside' {
  const modified = info.lastModified?.getTime()
  if (filter.modifiedAfter && (modified === undefined || modified < filter.modifiedAfter.getTime())) return 'outside'
  if (filter.modifiedBefore && (modified === undefined || modified >= filter.modifiedBefore.getTime())) return 'outside'
  return info.key.endsWith('/') || !findDataset(datasets, info.key) ? 'ignored' : 'take'
}

/** Lists the prefix and sorts each object into what a backfill enqueues and what it leaves. */
export async function selectForBackfill(
  store: ObjectStore,
  bucket: string,
  prefix: string,
  filter: BackfillFilter,
  datasets: readonly DatasetInfo[],
): Promise<BackfillSelection> {
  const selection: BackfillSelection = { objects: [], ignored: [], outside: 0 }
  for await (const info of store.list(bucket, prefix)) {
    const verdict = selectObject(info, filter, datasets)
    if (verdict === 'take') selection.objects.push(info)
    else if (verdict === 'ignored') selection.ignored.push(info)
    else selection.outside++
  }
  return selection
}
