import { rename, writeFile } from 'node:fs/promises'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import type { FileResult, QualityMessage } from '../core/messages.js'
import { channels, type DeadLetterEvent, type DrainBatchEvent } from './events.js'

/**
 * Ferry's Prometheus metrics. They are fed from the lifecycle channels (src/ops/events.ts), so the
 * consumers never call prom-client themselves, and a process without metrics pays nothing.
 */
export class FerryMetrics {
  readonly registry = new Registry()
  private readonly files = new Counter({
    name: 'ferry_files_total',
    help: 'Files processed by the worker, by dataset and outcome (written, quarantined, dead-lettered)',
    labelNames: ['dataset', 'status'],
    registers: [this.registry],
  })
  private readonly rows = new Counter({
    name: 'ferry_rows_total',
    help: 'Rows read (in), written (out) and rejected to quarantine, by dataset',
    labelNames: ['dataset', 'kind'],
    registers: [this.registry],
  })
  private readonly bytes = new Counter({
    name: 'ferry_bytes_total',
    help: 'Bytes read from sources (in) and written as Parquet (out), by dataset',
    labelNames: ['dataset', 'direction'],
    registers: [this.registry],
  })
  private readonly duration = new Histogram({
    name: 'ferry_file_duration_seconds',
    help: 'Time to process one file end to end in the worker, by dataset',
    labelNames: ['dataset'],
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [this.registry],
  })
  private readonly deadLetters = new Counter({
    name: 'ferry_dead_letters_total',
    help: 'Records sent to ferry.dlq, by stage and error code',
    labelNames: ['stage', 'code'],
    registers: [this.registry],
  })
  private readonly quality = new Counter({
    name: 'ferry_quality_total',
    help: 'Quality verdicts published, by dataset (empty for notification events), scope and status',
    labelNames: ['dataset', 'scope', 'status'],
    registers: [this.registry],
  })
  private readonly notifications = new Counter({
    name: 'ferry_drain_notifications_total',
    help: 'Queue messages drained, by outcome (object, duplicate, skipped, dead-lettered)',
    labelNames: ['outcome'],
    registers: [this.registry],
  })
  readonly lag = new Gauge({
    name: 'ferry_consumer_lag',
    help: 'Messages not yet processed by a consumer group, per partition',
    labelNames: ['group', 'topic', 'partition'],
    registers: [this.registry],
  })
  readonly lastSuccessfulNight = new Gauge({
    name: 'ferry_last_successful_night_timestamp_seconds',
    help: 'Unix time at which the last night finished with every file passing quality',
    registers: [this.registry],
  })
  readonly lastNight = new Gauge({
    name: 'ferry_last_night_timestamp_seconds',
    help: 'Unix time at which the last night finished, whatever its outcome',
    registers: [this.registry],
  })

  private readonly onFile = (message: unknown) => {
    const r = message as FileResult
    const dataset = r.dataset ?? 'unknown'
    this.files.inc({ dataset, status: r.status })
    this.rows.inc({ dataset, kind: 'in' }, r.rowsIn)
    this.rows.inc({ dataset, kind: 'out' }, r.rowsOut)
    this.rows.inc({ dataset, kind: 'rejected' }, r.rowsRejected)
    this.bytes.inc({ dataset, direction: 'in' }, r.bytesIn)
    this.bytes.inc({ dataset, direction: 'out' }, r.bytesOut)
    this.duration.observe({ dataset }, r.durationsMs.total / 1000)
  }
  private readonly onQuality = (message: unknown) => {
    const e = message as QualityMessage
    // a dead-lettered notification names no dataset; '' can never be a dataset's name
    this.quality.inc({ dataset: e.scope === 'notification' ? '' : e.dataset, scope: e.scope, status: e.status })
  }
  private readonly onDrain = (message: unknown) => {
    const b = message as DrainBatchEvent
    this.notifications.inc({ outcome: 'object' }, b.objects)
    this.notifications.inc({ outcome: 'duplicate' }, b.duplicates)
    this.notifications.inc({ outcome: 'skipped' }, b.skipped)
    this.notifications.inc({ outcome: 'dead-lettered' }, b.deadLettered)
  }
  private readonly onDeadLetter = (message: unknown) => {
    const d = message as DeadLetterEvent
    this.deadLetters.inc({ stage: d.stage, code: d.code }, d.count ?? 1)
  }

  constructor() {
    channels.file.subscribe(this.onFile)
    channels.quality.subscribe(this.onQuality)
    channels.drain.subscribe(this.onDrain)
    channels.deadLetter.subscribe(this.onDeadLetter)
  }

  /** Stops listening; the registry keeps its values for a final dump. */
  close(): void {
    channels.file.unsubscribe(this.onFile)
    channels.quality.unsubscribe(this.onQuality)
    channels.drain.unsubscribe(this.onDrain)
    channels.deadLetter.unsubscribe(this.onDeadLetter)
  }

  /** Prometheus text format: for /metrics, node_exporter's textfile collector or a Pushgateway. */
  text(): Promise<string> {
    return this.registry.metrics()
  }

  /** Writes the textfile-collector dump atomically enough for node_exporter (write then rename). */
  async writeFile(path: string): Promise<void> {
    const tmp = `${path}.tmp-${process.pid}`
    await writeFile(tmp, await this.text())
    await rename(tmp, path)
  }
}
