import type { FerryConfig } from '../config/load.js'
import type { QualityMessage } from '../core/messages.js'
import { errorMessage, isFerryError } from '../errors.js'
import type { AlertSink } from '../ports.js'
import { createAlertDispatcher } from './alerts/dispatcher.js'
import { nightFailures } from './alerts/group.js'
import { createSlackSink } from './alerts/slack.js'
import { createWebhookSink } from './alerts/webhook.js'
import { channels } from './events.js'
import type { Logger } from './logger.js'
import type { NightSummary } from './night.js'
import { createPinger } from './ping.js'
import { summaryLine, totals } from './summary.js'

export interface NightMonitor {
  /** pings `/start` so a run that never finishes is caught by the monitor's grace period */
  start(): Promise<void>
  /** alerts for what failed, then the success or `/fail` ping */
  finish(summary: NightSummary, ok: boolean): Promise<void>
  /** the night itself failed (infrastructure, configuration): alert and ping `/fail` */
  crashed(err: unknown): Promise<void>
  close(): void
}

/**
 * Heartbeat pings and grouped alerts around one `nightly` run. Built before any work so a malformed
 * webhook or ping URL fails at boot. Quality events are collected from the lifecycle channel.
 */
export function createNightMonitor(config: FerryConfig, runId: string, logger: Logger): NightMonitor {
  const run = logger.child({ run_id: runId })
  const log = run.child({ component: 'monitor' })
  const { slackWebhookUrl, webhookUrl, webhookAuthorization, pingUrl } = config.monitor
  // each part names itself (component): handing them `log` would repeat its keys in every line
  const pinger = createPinger(pingUrl || undefined, run)
  const sinks: Record<string, AlertSink> = {}
  if (slackWebhookUrl) sinks.slack = createSlackSink({ url: slackWebhookUrl, logger: run })
  if (webhookUrl) {
    sinks.webhook = createWebhookSink({
      url: webhookUrl,
      logger: run,
      ...(webhookAuthorization ? { headers: { authorization: webhookAuthorization } } : {}),
    })
  }
  const alerts = createAlertDispatcher({ runId, sinks, logger })
  // Leftovers from earlier runs are alerted too: nobody else will.
  // Any scope arrives here (file, notification); the dispatcher keeps what it alerts on.
  const onQuality = (message: unknown) => alerts.record(message as QualityMessage)
  channels.quality.subscribe(onQuality)
  return {
    start: () => pinger.start(runId),
    async finish(summary, ok) {
      for (const failure of nightFailures(summary)) alerts.recordNight(failure)
      for (const night of summary.nights ?? []) {
        for (const c of night.checks.filter((check) => check.status !== 'pass')) {
          alerts.recordNight({
            check: `${night.dataset}: ${c.name}`,
            severity: c.status === 'fail' ? 'fail' : 'warn',
            observed: String(c.observed),
            threshold: String(c.threshold),
            message: c.message,
          })
        }
      }
      const sent = await alerts.flush()
      log.info(sent, 'alerts flushed')
      const line = summaryLine(totals(summary))
      if (ok) {
        await pinger.success(runId, line)
        return
      }
      const failed = summary.files.filter((f) => f.quality === 'fail').map((f) => `${f.key} ${f.reason ?? ''}`)
      await pinger.fail(runId, [line, ...failed].join('\n'))
    },
    async crashed(err) {
      alerts.recordNight({
        check: 'run',
        severity: 'fail',
        observed: isFerryError(err) ? err.code : 'error',
        threshold: 'no error',
        message: errorMessage(err),
      })
      await alerts.flush()
      await pinger.fail(runId, `night stopped: ${errorMessage(err)}`)
    },
    close() {
      channels.quality.unsubscribe(onQuality)
    },
  }
}
