import { VOLUME_DEFAULTS } from '../core/checks/config.js'
import { nightChecks } from '../core/checks/night.js'
import { volumeChecks } from '../core/checks/volume.js'
import { type DatasetInfo, findDataset } from '../core/dataset.js'
import { encodeMessage, type FileResult, type NightQualityEvent, validators } from '../core/messages.js'
import { outputKey } from '../core/output-path.js'
import { nightQualityEvent, qualityAttributes } from '../core/quality.js'
import type { EventBus, EventLog } from '../ports.js'
import { publishQuality } from './events.js'
import { type HistoryLocation, mapLimit, readEntries, trailingNights, writeNight } from './history.js'
import { type RollupMeta, rollup } from './history-rollup.js'
import type { HistoryEntry } from './history-schema.js'
import type { Logger } from './logger.js'
import type { DatasetNight } from './report/model.js'

const DAY_MS = 86_400_000
const HEAD_CONCURRENCY = 16
/** The key a failure of the night itself is listed under in the history (as the alerts do). */
const NIGHT_KEY = '(night)'

/**
 * The event log as the drain sees it, remembering the record keys (`bucket/key`) it produced to
 * `topic`: what arrived tonight, to compare with what was processed, without touching the drain.
 */
export function tapProduced(log: EventLog, topic: string): { log: EventLog; keys: Set<string> } {
  const keys = new Set<string>()
  return {
    keys,
    log: {
      ensureTopics: (topics) => log.ensureTopics(topics),
      consume: (options) => log.consume(options),
      close: () => log.close(),
      async produce(to, records) {
        await log.produce(to, records)
        if (to === topic) for (const record of records) if (record.key !== null) keys.add(record.key)
      },
    },
  }
}

export interface NightInput {
  runId: string
  datasets: readonly DatasetInfo[]
  /** the results this run produced (one per source object) */
  results: readonly FileResult[]
  /** `bucket/key` of every object this run drained */
  drained: ReadonlySet<string>
  /** the output bucket: outputs are HEADed there, and the history lives there */
  output: HistoryLocation
  bus: EventBus
  topic: string
  logger: Logger
  now?: () => Date
}

/**
 * The end of a night: rolls the metrics history up for every dataset-night this run touched, then
 * runs the night checks of every configured dataset and publishes one `scope: night` event each.
 * A dataset's night is the newest event date among its files tonight; a dataset without files is
 * judged on the run's newest event date, or yesterday (UTC) when nothing arrived at all.
 */
export async function evaluateNight(input: NightInput): Promise<NightQualityEvent[]> {
  const now = input.now ?? (() => new Date())
  const byDataset = new Map<string, FileResult[]>()
  for (const r of input.results)
    if (r.dataset !== null) byDataset.set(r.dataset, [...(byDataset.get(r.dataset) ?? []), r])
  const fallbackDate = newest(input.results) ?? new Date(now().getTime() - DAY_MS).toISOString().slice(0, 10)
  const nightDates = new Map(input.datasets.map((d) => [d.name, newest(byDataset.get(d.name) ?? []) ?? fallbackDate]))

  // Dates other than a dataset's night (leftovers of an earlier night) are rolled up, not judged.
  for (const [dataset, results] of byDataset) {
    for (const date of new Set(results.map((r) => r.eventDate))) {
      if (nightDates.get(dataset) === date) continue
      const entries = await readNightEntries(input, dataset, date)
      await writeNight(input.output, rollup(entries, meta(input, dataset, date)))
    }
  }

  const events: NightQualityEvent[] = []
  for (const dataset of input.datasets) {
    const date = nightDates.get(dataset.name)!
    const results = byDataset.get(dataset.name) ?? []
    // Without a file tonight there is nothing to roll up, and no night is stored: the report shows it missing.
    const entries = results.length ? await readNightEntries(input, dataset.name, date) : undefined
    const tonight = entries && rollup(entries, meta(input, dataset.name, date))
    const checks = nightChecks(
      {
        files: tonight?.files ?? 0,
        unprocessed: unprocessed(input, dataset),
        missingOutputs: await missingOutputs(input.output, results),
        rowsIn: tonight?.rowsIn ?? 0,
        rowsOut: tonight?.rowsOut ?? 0,
        rowsRejected: tonight?.rowsRejected ?? 0,
      },
      dataset.checks,
    )
    const volume = dataset.checks?.volume
    if (volume) {
      const nights = volume.nights ?? VOLUME_DEFAULTS.nights
      const history = await trailingNights(input.output, dataset.name, date, nights)
      checks.push(...volumeChecks({ rowsIn: tonight?.rowsIn ?? 0, bytesIn: tonight?.bytesIn ?? 0 }, history, volume))
    }
    const event = nightQualityEvent(
      { runId: input.runId, dataset: dataset.name, date, counts: counts(tonight) },
      checks,
      now(),
    )
    if (entries) {
      const nightFailures = checks
        .filter((c) => c.status === 'fail')
        .map((c) => ({ key: NIGHT_KEY, reason: `${c.name}: ${c.message}` }))
      await writeNight(input.output, rollup(entries, { ...meta(input, dataset.name, date), nightFailures }))
    }
    await input.bus.publish(input.topic, encodeMessage(validators.qualityEvent, event), qualityAttributes(event))
    publishQuality(event)
    input.logger.info(
      {
        run_id: input.runId,
        dataset: dataset.name,
        date,
        status: event.status,
        failed: checks.filter((c) => c.status !== 'pass').map((c) => c.name),
      },
      'night evaluated',
    )
    events.push(event)
  }
  return events
}

async function readNightEntries(input: NightInput, dataset: string, date: string): Promise<HistoryEntry[]> {
  const { entries, unreadable } = await readEntries(input.output, dataset, date)
  if (unreadable.length) input.logger.warn({ dataset, date, unreadable }, 'history entries skipped: not readable')
  return entries
}

function meta(input: NightInput, dataset: string, date: string): RollupMeta {
  return { dataset, date, runId: input.runId, updatedAt: (input.now ?? (() => new Date()))().toISOString() }
}

/** Drained tonight, matched to this dataset by key, and never processed. */
function unprocessed(input: NightInput, dataset: DatasetInfo): string[] {
  const processed = new Set(input.results.map((r) => `${r.source.bucket}/${r.source.key}`))
  return [...input.drained]
    .filter((id) => !processed.has(id) && findDataset(input.datasets, id.slice(id.indexOf('/') + 1)) === dataset)
    .sort()
}

/** Processed files whose output object is not there (HEAD), e.g. deleted or written elsewhere. */
async function missingOutputs(at: HistoryLocation, results: readonly FileResult[]): Promise<string[]> {
  const written = results.filter((r) => r.status !== 'dead-lettered' && r.dataset !== null)
  const present = await mapLimit(written, HEAD_CONCURRENCY, async (r) => {
    const key = outputKey(at.prefix, r.dataset as string, r.eventDate, r.source)
    return (await at.store.head(at.bucket, key)) !== undefined
  })
  return written.filter((_, i) => !present[i]).map((r) => `${r.source.bucket}/${r.source.key}`)
}

function newest(results: readonly FileResult[]): string | undefined {
  return results.reduce<string | undefined>(
    (max, r) => (max === undefined || r.eventDate > max ? r.eventDate : max),
    undefined,
  )
}

function counts(night: DatasetNight | undefined): NightQualityEvent['counts'] {
  return {
    files: night?.files ?? 0,
    filesWritten: night?.filesWritten ?? 0,
    filesDeadLettered: night?.filesDeadLettered ?? 0,
    rowsIn: night?.rowsIn ?? 0,
    rowsOut: night?.rowsOut ?? 0,
    rowsRejected: night?.rowsRejected ?? 0,
    bytesIn: night?.bytesIn ?? 0,
    bytesOut: night?.bytesOut ?? 0,
  }
}
