import { describe, expect, it } from 'vitest'
import { UsageError } from '../../../../src/errors.js'
import { clamp, type PartitionState, planReplay } from '../../../../src/ops/replay/plan.js'

/** Three partitions: one fully consumed, one half, one that never committed (and lost its head to retention). */
const states: PartitionState[] = [
  { partition: 0, low: 0n, high: 10n, committed: 10n },
  { partition: 1, low: 0n, high: 8n, committed: 4n },
  { partition: 2, low: 3n, high: 6n, committed: null },
]

function summary(plan: ReturnType<typeof planReplay>) {
  return plan.partitions.map((p) => [p.partition, p.position, p.target, p.reprocess, p.skip])
}

describe('planReplay', () => {
  it('to the earliest offset: everything consumed so far is processed again', () => {
    const plan = planReplay(states, { kind: 'earliest' })
    expect(summary(plan)).toEqual([
      [0, 10n, 0n, 10n, 0n],
      [1, 4n, 0n, 4n, 0n],
      [2, 3n, 3n, 0n, 0n],
    ])
    expect(plan.reprocess).toBe(14n)
    expect(plan.skip).toBe(0n)
  })

  it('shifts from the committed offset and clamps to [log start, log end]', () => {
    expect(summary(planReplay(states, { kind: 'shift', by: -3n }))).toEqual([
      [0, 10n, 7n, 3n, 0n],
      [1, 4n, 1n, 3n, 0n],
      [2, 3n, 3n, 0n, 0n], // below the log start: clamped
    ])
    expect(summary(planReplay(states, { kind: 'shift', by: -100n })).map((r) => r[2])).toEqual([0n, 0n, 3n])
    // forward: messages not processed yet are skipped, and said so
    const forward = planReplay(states, { kind: 'shift', by: 100n })
    expect(summary(forward)).toEqual([
      [0, 10n, 10n, 0n, 0n],
      [1, 4n, 8n, 0n, 4n],
      [2, 3n, 6n, 0n, 3n],
    ])
    expect(forward.skip).toBe(7n)
  })

  it('to an offset, on every partition or on one, clamped', () => {
    expect(summary(planReplay(states, { kind: 'offset', offset: 5n }))).toEqual([
      [0, 10n, 5n, 5n, 0n],
      [1, 4n, 5n, 0n, 1n],
      [2, 3n, 5n, 0n, 2n],
    ])
    const one = planReplay(states, { kind: 'offset', offset: 2n }, 1)
    expect(summary(one)).toEqual([[1, 4n, 2n, 2n, 0n]])
    expect(one.reprocess).toBe(2n)
    expect(summary(planReplay(states, { kind: 'offset', offset: 99n }, 0))).toEqual([[0, 10n, 10n, 0n, 0n]])
  })

  it('to a time: the offsets the broker resolved, the log end where none was found', () => {
    const plan = planReplay(states, { kind: 'time', offsets: new Map([[0, 6n]]) })
    expect(summary(plan)).toEqual([
      [0, 10n, 6n, 4n, 0n],
      [1, 4n, 8n, 0n, 4n],
      [2, 3n, 6n, 0n, 3n],
    ])
  })

  it('treats a committed offset below the log start as the log start', () => {
    const plan = planReplay([{ partition: 0, low: 5n, high: 9n, committed: 2n }], { kind: 'earliest' })
    expect(summary(plan)).toEqual([[0, 5n, 5n, 0n, 0n]])
  })

  it('sorts partitions and refuses one that does not exist', () => {
    expect(planReplay([...states].reverse(), { kind: 'earliest' }).partitions.map((p) => p.partition)).toEqual([
      0, 1, 2,
    ])
    expect(() => planReplay(states, { kind: 'earliest' }, 7)).toThrow(UsageError)
    expect(() => planReplay(states, { kind: 'earliest' }, 7)).toThrow(
      'partition 7 does not exist (partitions: 0, 1, 2)',
    )
  })
})

describe('clamp', () => {
  it('keeps a value inside [low, high]', () => {
    expect(clamp(-1n, 0n, 5n)).toBe(0n)
    expect(clamp(3n, 0n, 5n)).toBe(3n)
    expect(clamp(9n, 0n, 5n)).toBe(5n)
  })
})
