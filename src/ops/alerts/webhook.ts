import type { Alert, AlertSink } from '../../ports.js'
import type { Logger } from '../logger.js'
import { ALERT_HTTP, deliver, type HttpSettings, parseSecretUrl } from './http.js'

export const ALERT_SCHEMA = 'ferry.alert/v1'

/** The body a generic webhook receives: the Alert itself, tagged with its schema version. */
export type AlertPayload = Alert & { schema: typeof ALERT_SCHEMA }

export interface WebhookSinkOptions {
  /** may carry a token in its path or query: never logged */
  url: string
  /** extra headers, e.g. Authorization; their values are never logged either */
  headers?: Record<string, string>
  logger: Logger
  http?: Partial<HttpSettings>
}

/** Posts each Alert as JSON to any endpoint (PagerDuty bridge, Teams relay, an internal service). */
export function createWebhookSink(options: WebhookSinkOptions): AlertSink {
  const url = parseSecretUrl(options.url, 'the alert webhook URL')
  const settings = { ...ALERT_HTTP, ...options.http }
  const logger = options.logger.child({ component: 'alerts', sink: 'webhook' })
  const headers = { 'content-type': 'application/json', ...options.headers }
  return {
    async send(alert) {
      const payload: AlertPayload = { schema: ALERT_SCHEMA, ...alert }
      await deliver(
        { method: 'POST', url, headers, body: JSON.stringify(payload), what: 'webhook alert' },
        settings,
        logger,
      )
    },
  }
}
