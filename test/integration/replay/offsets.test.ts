import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { Exit, ferry } from '../../support/ferry-env.js'
import {
  type LedgerWorld,
  lakeSnapshot,
  ledgerWorld,
  mustRun,
  night,
  ordersFile,
  results,
  status,
  upload,
  waitFor,
} from '../ledger/support.js'

const endpoints = inject('endpoints')
const KEYS = ['a', 'b', 'c', 'd', 'e'].map((k) => `orders/2026-11-23/orders-${k}.parquet`)

describe('ferry replay: resetting a consumer group on the embedded broker', () => {
  let world: LedgerWorld
  let group: string
  let ends: Map<number, bigint>

  beforeAll(async () => {
    world = await ledgerWorld(endpoints)
    group = `ferry-work-${world.id}`
    for (const [i, key] of KEYS.entries()) await upload(world, key, ordersFile(10 + i))
    await night(world, { quality: false })
    ends = new Map((await world.admin.topicOffsets(world.topics.objects)).map((p) => [p.partition, p.high]))
  })
  afterAll(() => world?.admin.close())

  it('prints the plan of a dry run with exact counts and changes nothing', async () => {
    expect([...ends.values()].reduce((a, b) => a + b, 0n)).toBe(BigInt(KEYS.length))
    const committedBefore = await world.admin.committedOffsets(group, world.topics.objects)

    const earliest = await mustRun(world, ['replay', '--to-earliest'])
    expect(earliest[0]).toBe(`group ${group}, topic ${world.topics.objects}: to the earliest offset (dry run)`)
    expect(earliest.at(-1)).toBe(
      `replay group=${group} topic=${world.topics.objects} partitions=4 reprocess=${KEYS.length} skip=0 executed=false`,
    )
    // one row per partition: committed, new offset, log end, reprocess, skip
    for (const [partition, high] of ends) {
      const committed = high === 0n ? '-' : String(high)
      expect(earliest).toContainEqual(
        expect.stringMatching(new RegExp(`^\\s*${partition}\\s+${committed}\\s+0\\s+${high}\\s+${high}\\s+0$`)),
      )
    }

    const busy = [...ends].reduce((a, b) => (b[1] > a[1] ? b : a))
    const nonEmpty = [...ends.values()].filter((h) => h > 0n).length
    const counts = async (...argv: string[]) => (await mustRun(world, ['replay', ...argv])).at(-1)
    expect(await counts('--shift-by=-1')).toContain(`reprocess=${nonEmpty} skip=0`)
    expect(await counts('--shift-by=-100')).toContain(`reprocess=${KEYS.length} skip=0`)
    expect(await counts('--to-offset', '0', '--partition', String(busy[0]))).toContain(
      `partitions=1 reprocess=${busy[1]} skip=0`,
    )
    expect(await counts('--by-duration', 'PT1H')).toContain(`reprocess=${KEYS.length} skip=0`)
    expect(await counts('--to-datetime', new Date(Date.now() + 3_600_000).toISOString())).toContain(
      'reprocess=0 skip=0',
    )

    expect(await world.admin.committedOffsets(group, world.topics.objects)).toEqual(committedBefore)
  })

  it('--execute reprocesses exactly the planned messages, bypassing the duplicate skip; outputs unchanged', async () => {
    const before = await lakeSnapshot(world)
    const resultsBefore = await results(world)
    expect(resultsBefore).toHaveLength(KEYS.length)

    const replay = ferry(world, ['replay', '--to-earliest', '--execute', '--follow'])
    // The reset is in once every partition's committed offset is back at the log start.
    await waitFor(async () =>
      [...(await world.admin.committedOffsets(group, world.topics.objects)).values()].every((o) => o === 0n),
    )
    await mustRun(world, ['work', '--until-idle'])
    const run = await replay
    expect(run.code).toBe(Exit.OK)
    expect(run.out).toContain(
      `replay group=${group} topic=${world.topics.objects} partitions=4 reprocess=${KEYS.length} skip=0 executed=true`,
    )
    expect(run.out.at(-1)).toBe(`replay done: ${KEYS.length} message(s) processed again`)

    const after = await results(world)
    expect(after).toHaveLength(2 * KEYS.length)
    const again = after.filter((r) => !resultsBefore.some((b) => b.result.processedAt === r.result.processedAt))
    expect(again).toHaveLength(KEYS.length)
    for (const { result, headers } of again) {
      // processed, not repeated from the ledger: a re-delivered record is never a duplicate
      expect(headers.skipped).toBeUndefined()
      expect(result.status).toBe('written')
    }
    expect(again.map((r) => r.result.source.key).sort()).toEqual([...KEYS].sort())
    expect(await lakeSnapshot(world)).toEqual(before)
    for (const entry of (await status(world)).values()) expect(entry).toMatchObject({ attempts: 2, state: 'written' })
  })

  it('refuses while the group has running consumers (exit 2) and changes nothing', async () => {
    const committedBefore = await world.admin.committedOffsets(group, world.topics.objects)
    const abort = new AbortController()
    const worker = ferry(world, ['work'], abort.signal)
    try {
      await waitFor(async () => (await world.admin.describeGroup(group)).state === 'Stable')
      for (const argv of [['--to-earliest', '--execute'], ['--to-earliest']]) {
        const run = await ferry(world, ['replay', ...argv])
        expect(run.code).toBe(Exit.ERROR)
        expect(run.err.join('\n')).toContain(
          `ferry replay: group ${group} is active (state Stable, 1 member(s)); offsets can only be reset while it has no running consumers`,
        )
        expect(run.out).toEqual([])
      }
    } finally {
      abort.abort()
    }
    expect((await worker).code).toBe(Exit.OK)
    expect(await world.admin.committedOffsets(group, world.topics.objects)).toEqual(committedBefore)
  })

  it('rejects ambiguous or malformed requests', async () => {
    const cases: Array<[string[], string]> = [
      [[], 'give exactly one of --to-offset, --to-datetime, --by-duration, --shift-by, --to-earliest'],
      [['--to-earliest', '--shift-by=-1'], 'give exactly one of'],
      [['--by-duration', 'P1M'], 'years and months have no fixed length'],
      [['--to-datetime', '2026-11-24T00:00:00'], 'not a date or a date-time with a zone'],
      [['--to-offset=-3'], '--to-offset must be a non-negative integer'],
      [['--to-earliest', '--follow'], '--follow needs --execute'],
      [['--to-earliest', '--partition', '9'], 'partition 9 does not exist (partitions: 0, 1, 2, 3)'],
      [['--object', 's3://x/y', '--execute'], '--object cannot be combined with --execute'],
    ]
    for (const [argv, message] of cases) {
      const run = await ferry(world, ['replay', ...argv])
      expect(run.code, argv.join(' ')).toBe(Exit.ERROR)
      expect(run.err.join('\n')).toContain(message)
    }
  })
})
