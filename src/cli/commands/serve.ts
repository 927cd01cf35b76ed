import { openInfrastructure } from '../../adapters/index.js'
import { requireDatasets } from '../../app/boot.js'
import {
  consumeQuality,
  consumeWork,
  drainQueue,
  ensureTopics,
  ledgerView,
  SHUTDOWN_GRACE_MS,
  withEngine,
} from '../../app/wiring.js'
import { nextRun, parseCron, timerAt } from '../../ops/cron.js'
import { newRunId } from '../../ops/night.js'
import { type Command, Exit, stringOpt } from '../command.js'
import { startOps } from '../ops.js'
import { createRuntime } from '../runtime.js'

export const serveCommand: Command = {
  name: 'serve',
  summary: 'long-running mode: scheduled drain, work and quality consumers, /metrics, /healthz, /readyz',
  usage: `Usage: ferry serve [--schedule "1 0 * * *"] [--time-zone UTC] [--metrics-port 9464]

For users who do not want cron. Runs the ferry-work and ferry-quality consumers continuously and
drains the notification queue on a schedule (a 5-field cron expression in a time zone). Serves
Prometheus metrics on /metrics and probes on /healthz (alive) and /readyz (both consumers have joined
their groups).
On SIGTERM it stops consuming, gives the file in hand 2 s to finish and commit, else stops it
uncommitted (the next run processes it again), then disconnects: it ends within 5 s.

Example:
  ferry serve --schedule "1 0 * * *" --time-zone Europe/Berlin --metrics-port 9464`,
  options: {
    schedule: { type: 'string' },
    'time-zone': { type: 'string' },
    'metrics-port': { type: 'string' },
  },
  optionHelp: {
    schedule: 'when to drain, as a cron expression (default "1 0 * * *": 00:01 every day)',
    'time-zone': 'IANA time zone of the schedule (default UTC)',
    'metrics-port': 'port for /metrics, /healthz and /readyz on 127.0.0.1 (default 9464; 0 = any free port)',
  },
  async run(args, ctx) {
    const app = createRuntime(args, ctx)
    const { config, logger } = app
    requireDatasets(app)
    const schedule = parseCron(stringOpt(args, 'schedule') ?? '1 0 * * *', stringOpt(args, 'time-zone') ?? 'UTC')
    const infra = await openInfrastructure(config, logger, { kafka: true, endpoints: ['queue', 'output', 'bus'] })
    // One ledger view for drain, work and quality: they all write through it, so it stays current.
    const ledger = ledgerView(app, infra)
    let consuming = 0
    const joined = new Set<string>()
    const ops = await startOps({ ...args, values: { 'metrics-port': '9464', ...args.values } }, logger, {
      log: infra.log,
      groups: [
        { group: config.kafka.groups.work, topic: config.kafka.topics.objects },
        { group: config.kafka.groups.quality, topic: config.kafka.topics.results },
      ],
      // ready once both consumers are in their groups with partitions, not merely started
      health: { live: () => true, ready: () => joined.size === 2 && consuming === 2 && !stop.signal.aborted },
    })
    ctx.out(
      `ferry serve: metrics on http://127.0.0.1:${ops.server?.port}/metrics; schedule "${schedule.expression}" (${schedule.timeZone})`,
    )
    let timer: { cancel(): void } | undefined
    // One consumer failing stops the other: the process exits 2 and its supervisor restarts it.
    const stop = new AbortController()
    ctx.signal.addEventListener('abort', () => stop.abort(), { once: true })
    try {
      await ensureTopics(app, infra)
      const scheduleNext = () => {
        const at = nextRun(schedule, new Date())
        logger.info({ at: at.toISOString() }, 'next drain scheduled')
        timer = timerAt(at, async () => {
          const runId = newRunId()
          try {
            const waitSeconds = config.queue.type === 'local' ? 0 : 10
            await drainQueue(app, infra, { runId, waitSeconds, emptyReceives: 2, ledger, signal: stop.signal })
          } catch (err) {
            logger.error({ err, run_id: runId }, 'scheduled drain failed; will try again at the next schedule')
          }
          if (!stop.signal.aborted) scheduleNext()
        })
      }
      scheduleNext()
      const consumer = (promise: Promise<void>) => {
        consuming++
        return promise.finally(() => {
          consuming--
          stop.abort()
        })
      }
      const run = (name: string) => ({ signal: stop.signal, ledger, onJoined: () => joined.add(name) })
      const outcomes = await Promise.allSettled([
        consumer(
          withEngine(app, (engine) => consumeWork(app, infra, engine, run('work')), {
            signal: stop.signal,
            graceMs: SHUTDOWN_GRACE_MS,
          }),
        ),
        consumer(consumeQuality(app, infra, run('quality'))),
      ])
      const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected')
      if (failed) throw failed.reason
      return Exit.OK
    } finally {
      timer?.cancel()
      await ops.close()
      await infra.close()
    }
  },
}
