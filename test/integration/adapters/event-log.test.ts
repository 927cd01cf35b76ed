import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { afterAll, describe, expect, inject, it } from 'vitest'
import { KafkaEventLog } from '../../../src/adapters/kafka/event-log.js'
import { createLogger } from '../../../src/ops/logger.js'
import type { ConsumedRecord } from '../../../src/ports.js'

const { kafka } = inject('endpoints')
const quiet = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) })

describe('KafkaEventLog on the embedded broker', () => {
  const log = new KafkaEventLog({ brokers: [kafka], clientId: 'event-log-test', logger: quiet, idlePollMs: 100 })
  afterAll(() => log.close())
  const unique = () => randomBytes(4).toString('hex')

  it('creates topics idempotently, produces with headers and consumes every record until idle', async () => {
    const topic = `log-${unique()}`
    await log.ensureTopics([{ name: topic, partitions: 3 }])
    await log.ensureTopics([{ name: topic, partitions: 3 }])
    const records = Array.from({ length: 30 }, (_, i) => ({
      key: `k${i}`,
      value: Buffer.from(`v${i}`),
      headers: { trace_id: `t${i}` },
    }))
    await log.produce(topic, records)
    const seen: ConsumedRecord[] = []
    let joinedBeforeFirstRecord: boolean | undefined
    let joins = 0
    await log.consume({
      groupId: `g-${unique()}`,
      topic,
      untilIdle: { idleMs: 200 },
      handler: async (r) => {
        joinedBeforeFirstRecord ??= joins > 0
        seen.push(r)
      },
      onJoined: () => joins++,
    })
    expect(joinedBeforeFirstRecord).toBe(true)
    expect(seen.map((r) => r.key).sort()).toEqual(records.map((r) => r.key).sort())
    const first = seen.find((r) => r.key === 'k7')
    expect(first?.value.toString()).toBe('v7')
    expect(first?.headers).toEqual({ trace_id: 't7' })
  })

  it('commits only handled records: a handler failure stops consumption and the record comes back', async () => {
    const topic = `log-${unique()}`
    const groupId = `g-${unique()}`
    await log.ensureTopics([{ name: topic, partitions: 1 }])
    await log.produce(
      topic,
      ['a', 'b', 'c'].map((k) => ({ key: k, value: Buffer.from(k) })),
    )
    const firstRun: string[] = []
    await expect(
      log.consume({
        groupId,
        topic,
        untilIdle: { idleMs: 200 },
        handler: async (r) => {
          if (r.key === 'b') throw new Error('sink down')
          firstRun.push(r.key ?? '')
        },
      }),
    ).rejects.toThrow('sink down')
    expect(firstRun).toEqual(['a'])
    expect(await log.lag(groupId, topic)).toBe(2n)
    const secondRun: string[] = []
    await log.consume({
      groupId,
      topic,
      untilIdle: { idleMs: 200 },
      handler: async (r) => {
        secondRun.push(r.key ?? '')
      },
    })
    expect(secondRun).toEqual(['b', 'c'])
    expect(await log.lag(groupId, topic)).toBe(0n)
  })

  it('stops promptly when aborted, committing what was handled', async () => {
    const topic = `log-${unique()}`
    const groupId = `g-${unique()}`
    await log.ensureTopics([{ name: topic, partitions: 1 }])
    await log.produce(topic, [{ key: 'x', value: Buffer.from('x') }])
    const controller = new AbortController()
    await log.consume({
      groupId,
      topic,
      signal: controller.signal,
      handler: async () => {
        controller.abort()
      },
    })
    expect(await log.lag(groupId, topic)).toBe(0n)
  })
})
