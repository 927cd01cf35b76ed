import { describe, expect, it } from 'vitest'
import { followReplay, replayProgress } from '../../../../src/ops/replay/follow.js'
import { planReplay } from '../../../../src/ops/replay/plan.js'

const plan = planReplay(
  [
    { partition: 0, low: 0n, high: 10n, committed: 10n },
    { partition: 1, low: 0n, high: 6n, committed: 6n },
  ],
  { kind: 'shift', by: -4n },
)
const request = { groupId: 'g', topic: 't', mode: { kind: 'shift' as const, by: -4n } }

describe('replayProgress', () => {
  it('counts the replayed messages committed past, capped at the plan per partition', () => {
    expect(plan.reprocess).toBe(8n)
    expect(
      replayProgress(
        plan,
        new Map([
          [0, 6n],
          [1, 2n],
        ]),
      ),
    ).toBe(0n)
    expect(
      replayProgress(
        plan,
        new Map([
          [0, 8n],
          [1, 3n],
        ]),
      ),
    ).toBe(3n)
    expect(
      replayProgress(
        plan,
        new Map([
          [0, 10n],
          [1, 6n],
        ]),
      ),
    ).toBe(8n)
    // new messages arrived meanwhile: past the old position still counts as done, not more
    expect(
      replayProgress(
        plan,
        new Map([
          [0, 12n],
          [1, 9n],
        ]),
      ),
    ).toBe(8n)
    expect(replayProgress(plan, new Map())).toBe(0n)
  })
})

describe('followReplay', () => {
  it('polls until the range is processed again, reporting each step', async () => {
    const commits = [
      new Map([
        [0, 6n],
        [1, 2n],
      ]),
      new Map([
        [0, 9n],
        [1, 2n],
      ]),
      new Map([
        [0, 10n],
        [1, 6n],
      ]),
    ]
    const seen: bigint[] = []
    const done = await followReplay({ committedOffsets: async () => commits.shift() ?? new Map() }, request, plan, {
      pollMs: 1,
      signal: new AbortController().signal,
      onProgress: (n) => seen.push(n),
    })
    expect(done).toBe(true)
    expect(seen).toEqual([0n, 3n, 8n])
  })

  it('stops watching when aborted', async () => {
    const abort = new AbortController()
    const done = await followReplay(
      {
        committedOffsets: async () => {
          abort.abort()
          return new Map()
        },
      },
      request,
      plan,
      { pollMs: 60_000, signal: abort.signal, onProgress: () => {} },
    )
    expect(done).toBe(false)
  })
})
