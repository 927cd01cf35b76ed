import { utimes } from 'node:fs/promises'
import { join, relative, resolve } from 'node:path'
import { openInfrastructure } from '../../adapters/index.js'
import type { App } from '../../app/boot.js'
import { runNight } from '../../app/night.js'
import { defaultConfig } from '../../config/load.js'
import { generateSampleNight } from '../../core/sample-night.js'
import { UsageError } from '../../errors.js'
import { createLogger } from '../../ops/logger.js'
import { newRunId } from '../../ops/night.js'
import { startProgress } from '../../ops/progress.js'
import { objectCreatedBody } from '../../producers/object-created.js'
import { EXAMPLE_PROJECT } from '../../project/example.js'
import { loadProject } from '../../project/load.js'
import { type Command, Exit, stringOpt } from '../command.js'
import { parseIntOption } from './broker.js'
import { reportNight } from './nightly.js'
import { parseDateOption } from './options.js'

const LANDING = 'landing'

export const demoCommand: Command = {
  name: 'demo',
  summary: 'run a realistic sample night end to end on the local default (no cloud, no Docker)',
  usage: `Usage: ferry demo [--date YYYY-MM-DD] [--files 24]

Creates a sample night in local folders under ./.ferry (FERRY_HOME): files of the orders dataset of
the example project ('ferry init' writes the same one) in Parquet, CSV and NDJSON, some gzipped, with
varied sizes, two of them with invalid rows and one corrupt file, each announced by an S3-shaped
notification on the local queue. Then starts the embedded Kafka-protocol broker in
this process and runs the very same code path as 'ferry nightly' (kafkajs over loopback). Prints the
summary, where outputs, quarantined rows and quality events are, and checks the outcome against what
was generated. Safe to re-run: outputs are overwritten in place.

Example:
  npx ferry demo`,
  options: { date: { type: 'string' }, files: { type: 'string' } },
  optionHelp: {
    date: 'the night to simulate (default: yesterday, UTC)',
    files: 'number of files, at least 20 (default 24)',
  },
  async run(args, ctx) {
    const date = stringOpt(args, 'date') ?? new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
    parseDateOption(date, 'date')
    const fileCount = parseIntOption(stringOpt(args, 'files') ?? '24', 'files', 20, 1000)
    // The demo always runs on the local default, whatever cloud settings the environment has.
    const config = defaultConfig(resolve(ctx.cwd, ctx.env.FERRY_HOME ?? '.ferry'))
    config.work.idleMs = 1000
    // The demo's story is its summary; its logs (the corrupt file's error among them) go to a file.
    const logFile = join(config.home, 'logs', 'demo.log')
    const logger = createLogger({ level: stringOpt(args, 'log-level') ?? 'info', file: logFile })
    const datasetsDir = join(EXAMPLE_PROJECT, 'datasets')
    const app: App = { config, logger, project: loadProject(datasetsDir, ctx.cwd), cwd: ctx.cwd }
    const orders = app.project.datasets.find((d) => d.name === 'orders')
    if (!orders) throw new UsageError(`the example project in ${EXAMPLE_PROJECT} has no orders dataset`)
    const night = generateSampleNight({ date, files: fileCount, formats: 'mixed' })
    const infra = await openInfrastructure(config, logger)
    try {
      const eventTime = new Date(`${date}T23:30:00Z`)
      for (const file of night.files) {
        const info = await infra.source.put(LANDING, file.key, file.bytes, { contentType: contentTypeOf(file.key) })
        // uploaded "that night": as in S3, where a notification's event time is the object's LastModified
        await utimes(join(config.home, 'buckets', LANDING, file.key), eventTime, eventTime)
        await infra.queue.send(objectCreatedBody({ ...info, lastModified: eventTime }, eventTime))
      }
      ctx.out(`demo: wrote ${night.files.length} sample files for ${date} to ${join(config.home, 'buckets', LANDING)}`)
      ctx.out(`demo: datasets from ${relative(ctx.cwd, datasetsDir) || datasetsDir} (the project 'ferry init' writes)`)
      const progress = startProgress(process.stderr, { label: 'demo' })
      const summary = await runNight(app, infra, {
        runId: newRunId(),
        waitSeconds: 0,
        emptyReceives: 1,
        signal: ctx.signal,
      })
      progress.stop()
      const problems = compare(night.files, summary.files, orders.quality.maxRejectedRate)
      ctx.out(
        [
          '',
          `outputs:          ${join(config.home, 'buckets', config.output.bucket)}`,
          `quarantined rows: ${join(config.home, 'buckets', config.output.bucket, config.output.quarantinePrefix)}`,
          `quality events:   ${join(config.home, 'events', `${config.bus.topic}.jsonl`)}`,
          `dead letters:     Kafka topic ${config.kafka.topics.dlq} (embedded broker data in ${join(config.home, 'broker')})`,
          `logs:             ${logFile}`,
          problems.length
            ? `demo: the outcome does NOT match the generated files:\n  ${problems.join('\n  ')}`
            : 'demo: the outcome matches the generated files',
          '',
        ].join('\n'),
      )
      const code = reportNight(summary, ctx, logger, progress)
      return problems.length ? Exit.ERROR : code === Exit.DATA ? Exit.OK : code
    } finally {
      await infra.close()
    }
  },
}

interface Generated {
  key: string
  expect: { rows: number; invalidRows: number; corrupt: boolean }
}

/** What the night should have done with each generated file, versus what it reports. */
function compare(
  generated: Generated[],
  outcomes: Array<{ key: string; status: string; rowsIn: number; rowsRejected: number; quality: string }>,
  maxRejectedRate: number,
): string[] {
  const byKey = new Map(outcomes.map((o) => [o.key, o]))
  const problems: string[] = []
  for (const file of generated) {
    const got = byKey.get(`${LANDING}/${file.key}`)
    if (!got) {
      problems.push(`${file.key}: no result`)
      continue
    }
    const { rows, invalidRows, corrupt } = file.expect
    const status = corrupt ? 'dead-lettered' : 'written'
    const quality = corrupt || invalidRows / rows > maxRejectedRate ? 'fail' : 'pass'
    if (got.status !== status) problems.push(`${file.key}: status ${got.status}, expected ${status}`)
    if (!corrupt && (got.rowsIn !== rows || got.rowsRejected !== invalidRows)) {
      problems.push(`${file.key}: ${got.rowsIn} rows / ${got.rowsRejected} rejected, expected ${rows} / ${invalidRows}`)
    }
    if (got.quality !== quality) problems.push(`${file.key}: quality ${got.quality}, expected ${quality}`)
  }
  if (outcomes.length !== generated.length) problems.push(`${outcomes.length} results for ${generated.length} files`)
  return problems
}

/** What an uploader would label the file as; Ferry itself goes by bytes and extension. */
function contentTypeOf(key: string): string {
  if (key.endsWith('.gz')) return 'application/gzip'
  if (key.endsWith('.csv')) return 'text/csv'
  if (key.endsWith('.ndjson')) return 'application/x-ndjson'
  return 'application/vnd.apache.parquet'
}
