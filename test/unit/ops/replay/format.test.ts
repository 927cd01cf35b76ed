import { describe, expect, it } from 'vitest'
import { formatPlan } from '../../../../src/ops/replay/format.js'
import { planReplay } from '../../../../src/ops/replay/plan.js'

const request = { groupId: 'ferry-work', topic: 'ferry.objects', mode: { kind: 'shift' as const, by: 2n } }

describe('formatPlan', () => {
  it('prints a table per partition, the totals, a skip warning and a machine-readable line', () => {
    const plan = planReplay(
      [
        { partition: 0, low: 0n, high: 12n, committed: 12n },
        { partition: 1, low: 0n, high: 9n, committed: null },
      ],
      request.mode,
    )
    expect(formatPlan(request, plan, false)).toEqual([
      'group ferry-work, topic ferry.objects: shift by 2 (dry run)',
      '',
      'partition  committed  new offset  log end  reprocess  skip',
      '        0         12          12       12          0     0',
      '        1          -           2        9          0     2',
      '',
      '0 message(s) will be processed again',
      'warning: 2 message(s) not processed yet will be skipped for good',
      'dry run: nothing changed; add --execute',
      'replay group=ferry-work topic=ferry.objects partitions=2 reprocess=0 skip=2 executed=false',
    ])
  })

  it('says when the offsets were reset', () => {
    const plan = planReplay([{ partition: 3, low: 0n, high: 4n, committed: 4n }], { kind: 'earliest' })
    const lines = formatPlan({ ...request, mode: { kind: 'earliest' }, partition: 3 }, plan, true)
    expect(lines[0]).toBe('group ferry-work, topic ferry.objects: to the earliest offset, partition 3 only')
    expect(lines.at(-2)).toBe('offsets reset: start the consumers to reprocess')
    expect(lines.at(-1)).toBe(
      'replay group=ferry-work topic=ferry.objects partitions=1 reprocess=4 skip=0 executed=true',
    )
  })
})
