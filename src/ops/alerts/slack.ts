import type { AlertSink } from '../../ports.js'
import type { Logger } from '../logger.js'
import { ALERT_HTTP, deliver, type HttpSettings, parseSecretUrl } from './http.js'
import { slackMessage } from './slack-message.js'

export interface SlackSinkOptions {
  /** the incoming-webhook URL: its path is the credential, so it is never logged */
  url: string
  logger: Logger
  http?: Partial<HttpSettings>
}

/** Posts alerts to a Slack incoming webhook as Block Kit messages. */
export function createSlackSink(options: SlackSinkOptions): AlertSink {
  const url = parseSecretUrl(options.url, 'the Slack webhook URL')
  const settings = { ...ALERT_HTTP, ...options.http }
  const logger = options.logger.child({ component: 'alerts', sink: 'slack' })
  return {
    async send(alert) {
      await deliver(
        {
          method: 'POST',
          url,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(slackMessage(alert)),
          what: 'slack alert',
        },
        settings,
        logger,
      )
    },
  }
}
