import { type OpenInfrastructure, openInfrastructure } from '../../adapters/index.js'
import { requireDatasets } from '../../app/boot.js'
import { runNight } from '../../app/night.js'
import { FerryMetrics } from '../../ops/metrics.js'
import { type NightSummary, newRunId } from '../../ops/night.js'
import { createNightMonitor } from '../../ops/night-monitor.js'
import { formatSummary, summaryLine, totals } from '../../ops/summary.js'
import { type CliContext, type Command, Exit, type ExitCode, stringOpt } from '../command.js'
import { createRuntime, progressLine } from '../runtime.js'
import { parseIntOption } from './broker.js'

export const nightlyCommand: Command = {
  name: 'nightly',
  summary: 'what cron runs at 00:01: drain, then work and quality until idle, then a summary',
  usage: `Usage: ferry nightly [--wait-seconds 10] [--empty-receives 2]

Drains the notification queue into Kafka, processes every queued object (ferry-work) and evaluates
every result (ferry-quality) until both groups are idle, then prints a summary table and a log line.
The last line is machine-readable:
  files=N written=W quarantined_rows=Q dead_lettered=D quality_pass=P quality_fail=F
Exit 0 when every file passed quality, 1 when any failed, 2 on errors.

Example (crontab):
  1 0 * * *  cd /srv/ferry && ferry nightly >> /var/log/ferry/nightly.log 2>&1`,
  options: {
    'wait-seconds': { type: 'string' },
    'empty-receives': { type: 'string' },
    'metrics-file': { type: 'string' },
  },
  optionHelp: {
    'wait-seconds': 'SQS long-poll wait per receive, 0-20 (default 10; 0 for the local queue)',
    'empty-receives': 'drain stops after this many consecutive empty receives (default 2)',
    'metrics-file': 'write Prometheus metrics here at the end (node_exporter textfile collector / Pushgateway)',
  },
  async run(args, ctx) {
    const app = createRuntime(args, ctx, { progress: true })
    const { config, logger } = app
    requireDatasets(app)
    const runId = newRunId()
    const monitor = createNightMonitor(config, runId, logger)
    const metrics = new FerryMetrics()
    let infra: OpenInfrastructure | undefined
    let progress: { stop(): void } | undefined
    try {
      await monitor.start()
      infra = await openInfrastructure(config, logger, { kafka: true, endpoints: ['queue', 'output', 'bus'] })
      progress = progressLine('night', infra.log, {
        group: config.kafka.groups.work,
        topic: config.kafka.topics.objects,
      })
      const summary = await runNight(app, infra, {
        runId,
        waitSeconds: parseIntOption(
          stringOpt(args, 'wait-seconds') ?? (config.queue.type === 'local' ? '0' : '10'),
          'wait-seconds',
          0,
          20,
        ),
        emptyReceives: parseIntOption(stringOpt(args, 'empty-receives') ?? '2', 'empty-receives', 1, 100),
        signal: ctx.signal,
      })
      const code = reportNight(summary, ctx, logger, progress)
      await monitor.finish(summary, code === Exit.OK)
      const finished = Date.now() / 1000
      metrics.lastNight.set(finished)
      if (code === Exit.OK) metrics.lastSuccessfulNight.set(finished)
      const metricsFile = stringOpt(args, 'metrics-file')
      if (metricsFile) await metrics.writeFile(metricsFile)
      return code
    } catch (err) {
      await monitor.crashed(err)
      throw err
    } finally {
      progress?.stop()
      monitor.close()
      metrics.close()
      await infra?.close()
    }
  },
}

/** Prints the table and the machine-readable line; logs the totals once for log-based alarms. */
export function reportNight(
  summary: NightSummary,
  ctx: CliContext,
  logger: { info: (obj: object, msg: string) => void },
  progress?: { stop(): void },
): ExitCode {
  progress?.stop()
  const t = totals(summary)
  logger.info({ run_id: summary.runId, ...t, durationMs: summary.durationMs }, 'night finished')
  ctx.out(formatSummary(summary))
  for (const line of ambiguityNote(summary)) ctx.out(line)
  ctx.out('')
  ctx.out(summaryLine(t))
  const nightFailed = (summary.nights ?? []).some((n) => n.status === 'fail')
  return t.qualityFail > 0 || nightFailed ? Exit.DATA : Exit.OK
}

/** Keys several datasets matched tonight: one note per night, the first keys as examples. */
function ambiguityNote(summary: NightSummary): string[] {
  const ambiguous = summary.ambiguous ?? []
  if (ambiguous.length === 0) return []
  const examples = ambiguous
    .slice(0, 3)
    .map((a) => `${a.key} -> ${a.datasets[0]} (also ${a.datasets.slice(1).join(', ')})`)
  return [
    '',
    `note: ${ambiguous.length} key(s) matched several datasets; each went to the highest priority, then the first name:`,
    ...examples.map((e) => `  ${e}`),
    '  set priority: or narrow the keys; ferry datasets --match KEY explains one key',
  ]
}
