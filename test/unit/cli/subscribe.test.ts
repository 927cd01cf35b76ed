import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { LocalEventBus } from '../../../src/adapters/local/event-bus.js'
import { Exit } from '../../../src/cli/command.js'
import { attributeFilter, describeEvent } from '../../../src/cli/commands/subscribe.js'
import { main } from '../../../src/cli/main.js'
import { encodeMessage, type QualityMessage, validators } from '../../../src/core/messages.js'
import {
  checkFile,
  nightQualityEvent,
  notificationQualityEvent,
  qualityAttributes,
  qualityEvent,
} from '../../../src/core/quality.js'
import type { BusMessage } from '../../../src/ports.js'
import { sampleFileResult } from '../../support/file-result.js'

const at = new Date('2026-11-24T00:05:00.000Z')

const fileResult = sampleFileResult({
  source: { bucket: 'landing', key: 'orders/a.csv', uri: 's3://landing/orders/a.csv', size: 10 },
  rowsIn: 10,
  rowsOut: 10,
})

const events: QualityMessage[] = [
  qualityEvent(fileResult, checkFile(fileResult, { minRowRatio: 0.95, maxRejectedRate: 0.05 }), at),
  nightQualityEvent(
    {
      runId: 'run-1',
      dataset: 'orders',
      date: '2026-11-23',
      counts: {
        files: 1,
        filesWritten: 1,
        filesDeadLettered: 0,
        rowsIn: 10,
        rowsOut: 10,
        rowsRejected: 0,
        bytesIn: 10,
        bytesOut: 10,
      },
    },
    [{ name: 'reconciliation', status: 'pass', severity: 'fail', observed: '', threshold: '', message: '' }],
    at,
  ),
  notificationQualityEvent(
    { runId: 'run-1', messageId: 'msg-42', reason: 'body is JSON array, not an object', body: '[]' },
    at,
  ),
]

const busMessage = (event: QualityMessage): BusMessage => ({
  id: '1',
  data: encodeMessage(validators.qualityEvent, event),
  attributes: qualityAttributes(event),
  publishTime: at,
})

const args = (values: Record<string, string>) => ({ values, positionals: [] })

describe('ferry subscribe: notification events', () => {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })

  it('accepts --scope notification and filters on the scope attribute', () => {
    expect(attributeFilter(args({ scope: 'notification' }))).toEqual({ scope: 'notification' })
    expect(attributeFilter(args({ scope: 'notification', status: 'fail' }))).toEqual({
      scope: 'notification',
      status: 'fail',
    })
    expect(() => attributeFilter(args({ scope: 'notifications' }))).toThrow(
      /--scope must be file or night or notification/,
    )
  })

  it('exits 2 on an unknown scope, naming the three', async () => {
    const err: string[] = []
    const code = await main(['subscribe', '--scope', 'queue'], {
      out: () => {},
      err: (l) => err.push(l),
      env: {},
      signal: new AbortController().signal,
    })
    expect(code).toBe(Exit.ERROR)
    expect(err.join('\n')).toContain('--scope must be file or night or notification')
  })

  it('prints a notification event as one line with its message id and reason', () => {
    const line = describeEvent(busMessage(events[2] as QualityMessage))
    expect(line).toBe('2026-11-24T00:05:00.000Z FAIL notification msg-42 body is JSON array, not an object')
    // the other scopes keep their lines
    expect(describeEvent(busMessage(events[0] as QualityMessage))).toContain('s3://landing/orders/a.csv')
    expect(describeEvent(busMessage(events[1] as QualityMessage))).toContain('night 2026-11-23')
  })

  it('gets only the notification events through a --scope notification subscription on the local bus', async () => {
    const root = mkdtempSync(join(tmpdir(), 'ferry-subscribe-'))
    dirs.push(root)
    const bus = new LocalEventBus(root, { pollIntervalMs: 5 })
    await bus.ensureTopic('quality')
    const got: QualityMessage[] = []
    const byDataset: QualityMessage[] = []
    const notifications = await bus.subscribe(
      'quality',
      'only-notifications',
      { create: true, attributes: attributeFilter(args({ scope: 'notification', status: 'fail' })) },
      async (m) => {
        got.push(JSON.parse(m.data.toString('utf8')) as QualityMessage)
      },
    )
    const orders = await bus.subscribe(
      'quality',
      'only-orders',
      { create: true, attributes: attributeFilter(args({ dataset: 'orders' })) },
      async (m) => {
        byDataset.push(JSON.parse(m.data.toString('utf8')) as QualityMessage)
      },
    )
    try {
      for (const event of events) {
        await bus.publish('quality', encodeMessage(validators.qualityEvent, event), qualityAttributes(event))
      }
      const deadline = Date.now() + 5_000
      while ((got.length < 1 || byDataset.length < 2) && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      // one more poll round: nothing else may arrive
      await new Promise((resolve) => setTimeout(resolve, 50))
    } finally {
      await notifications.close()
      await orders.close()
      await bus.close()
    }
    expect(got).toEqual([events[2]])
    // a notification event has no dataset attribute: a dataset filter leaves it out
    expect(byDataset.map((e) => e.scope)).toEqual(['file', 'night'])
  })
})
