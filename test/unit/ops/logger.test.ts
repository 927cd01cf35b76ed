import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { FerryError } from '../../../src/errors.js'
import { createLogger } from '../../../src/ops/logger.js'

function capture() {
  const lines: string[] = []
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString())
      done()
    },
  })
  return { logger: createLogger({ level: 'debug', destination }), text: () => lines.join('') }
}

describe('logger', () => {
  it('writes JSON lines with a string level that a CloudWatch metric filter can match', () => {
    const { logger, text } = capture()
    logger.child({ component: 'work' }).error({ dataset: 'orders' }, 'file dead-lettered')
    const line = JSON.parse(text().trim()) as Record<string, unknown>
    expect(line).toMatchObject({ level: 'error', component: 'work', dataset: 'orders', msg: 'file dead-lettered' })
  })

  it('redacts credentials and webhook URLs', () => {
    const { logger, text } = capture()
    logger.info(
      {
        webhookUrl: 'https://hooks.slack.com/services/T000/B000/SECRETxyz',
        config: { secretAccessKey: 'AKIA-SECRET-1', pingUrl: 'https://hc-ping.com/SECRET-uuid' },
        headers: { authorization: 'Bearer SECRET-token' },
      },
      'configured',
    )
    expect(text()).not.toMatch(/SECRET/)
    expect(text()).toContain('[redacted]')
  })

  it('serialises errors under err with code, retryable, context and the cause chain', () => {
    const { logger, text } = capture()
    const root = new Error('connect ECONNREFUSED 127.0.0.1:9092')
    logger.error(
      {
        err: new FerryError('FERRY_KAFKA', 'produce failed', { cause: root, retryable: true, context: { topic: 't' } }),
      },
      'x',
    )
    const { err } = JSON.parse(text().trim()) as { err: Record<string, unknown> }
    expect(err).toMatchObject({ code: 'FERRY_KAFKA', retryable: true, context: { topic: 't' } })
    expect(String(err.message)).toContain('produce failed')
    expect(err.cause).toMatchObject({ message: 'connect ECONNREFUSED 127.0.0.1:9092' })
  })
})
