import { setTimeout as sleep } from 'node:timers/promises'
import type { QualityMessage } from '../../core/messages.js'
import { isRetryable } from '../../core/retry.js'
import type { Alert, AlertSink } from '../../ports.js'
import type { Logger } from '../logger.js'
import { type Failure, failuresOf, groupAlerts, type NightFailure, nightFailure } from './group.js'
import { TokenBucket } from './token-bucket.js'

export interface DispatcherOptions {
  runId: string
  /** by name; names appear in logs, URLs never do */
  sinks: Record<string, AlertSink>
  logger: Logger
  /** alerts per run across all flushes (default 5); the last one says how many were suppressed */
  maxAlertsPerRun?: number
  /** files listed per dataset and check (default 10); the rest are counted */
  maxItemsPerCheck?: number
  /** minimum gap between two sends to one sink (default 1000: Slack's one message per second) */
  minIntervalMs?: number
  /** shown on every alert, e.g. the run's log query or dashboard */
  links?: Alert['links']
}

export interface FlushResult {
  /** deliveries that succeeded (one alert to two sinks counts two) */
  sent: number
  /** alerts dropped by the per-run cap */
  suppressed: number
  /** deliveries that failed, including ones skipped after their sink was found down */
  failed: number
}

export interface AlertDispatcher {
  /** Keeps the failing checks of a file's quality event; a passing event, or another scope, adds nothing. */
  record(event: QualityMessage): void
  /** A failure of the night itself: a crash, nothing arrived. */
  recordNight(failure: NightFailure): void
  /** Groups what was recorded since the last flush into alerts and sends them to every sink. Never throws. */
  flush(): Promise<FlushResult>
}

/**
 * Collects a night's failures and sends a handful of grouped alerts instead of one per file.
 * Sinks are independent: each gets every alert, in order, paced by its own token bucket, and a
 * failing sink is logged and skipped without holding up the others.
 */
export function createAlertDispatcher(options: DispatcherOptions): AlertDispatcher {
  const maxAlertsPerRun = options.maxAlertsPerRun ?? 5
  const maxItemsPerCheck = options.maxItemsPerCheck ?? 10
  const minIntervalMs = options.minIntervalMs ?? 1000
  const logger = options.logger.child({ component: 'alerts', run_id: options.runId })
  const targets = Object.entries(options.sinks).map(([name, sink]) => ({
    name,
    sink,
    bucket: new TokenBucket(1, minIntervalMs, Date.now()),
  }))
  let pending: Failure[] = []
  let alertsSoFar = 0

  async function sendAll(target: (typeof targets)[number], alerts: Alert[], result: FlushResult): Promise<void> {
    const { name, sink, bucket } = target
    for (const [index, alert] of alerts.entries()) {
      const wait = bucket.take(Date.now())
      if (wait > 0) await sleep(wait)
      try {
        await sink.send(alert)
        result.sent++
      } catch (err) {
        result.failed++
        // A retryable error that outlived the sink's retries means the sink is down: don't spend the
        // same retries on every remaining alert. A 4xx is about this payload, so the next one may pass.
        const down = isRetryable(err)
        const skipped = down ? alerts.length - index - 1 : 0
        logger.error({ sink: name, dataset: alert.dataset, skipped, err }, 'alert not delivered')
        if (down) {
          result.failed += skipped
          return
        }
      }
    }
  }

  return {
    record(event) {
      pending.push(...failuresOf(event))
    },
    recordNight(failure) {
      pending.push(nightFailure(failure))
    },
    async flush() {
      const { alerts, suppressed } = groupAlerts(pending, {
        runId: options.runId,
        maxItemsPerCheck,
        maxAlerts: maxAlertsPerRun - alertsSoFar,
        links: options.links,
      })
      pending = []
      alertsSoFar += alerts.length
      const result: FlushResult = { sent: 0, suppressed, failed: 0 }
      await Promise.all(targets.map((target) => sendAll(target, alerts, result)))
      if (suppressed) logger.warn({ suppressed, maxAlertsPerRun }, 'alerts suppressed by the per-run cap')
      logger.info({ alerts: alerts.length, ...result }, 'alerts flushed')
      return result
    },
  }
}
