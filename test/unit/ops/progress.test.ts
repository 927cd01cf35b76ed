import { afterEach, describe, expect, it, vi } from 'vitest'
import type { FileResult, QualityEvent } from '../../../src/core/messages.js'
import { publishDrain, publishFile, publishQuality } from '../../../src/ops/events.js'
import { initialProgress, type ProgressState, renderProgress, startProgress } from '../../../src/ops/progress.js'

const state = (over: Partial<ProgressState> = {}): ProgressState => ({ ...initialProgress(0), ...over })

describe('renderProgress', () => {
  it('says files done of the total (done plus the lag), rows, dead letters, failed quality, elapsed and ETA', () => {
    const line = renderProgress(
      'night',
      state({
        files: 12,
        lag: 36,
        rowsIn: 1_234_567,
        rowsOut: 1_230_000,
        rowsRejected: 4_567,
        deadLettered: 1,
        judged: 10,
        failedQuality: 2,
      }),
      60_000,
    )
    expect(line).toBe(
      'night 12/48 files · rows 1.23M in 1.23M out 4567 rejected · 1 dead-lettered · 2/10 failed quality · 01:00 elapsed · ETA 03:00',
    )
  })

  it('falls back on what was drained before the lag is known, and has no ETA before the first file', () => {
    expect(renderProgress('night', state({ drained: 24 }), 5_000)).toBe(
      'night 0/24 files · rows 0 in 0 out 0 rejected · 00:05 elapsed',
    )
    expect(renderProgress('work', state(), 3_723_000)).toBe(
      'work 0/? files · rows 0 in 0 out 0 rejected · 1:02:03 elapsed',
    )
  })
})

describe('startProgress', () => {
  afterEach(() => vi.useRealTimers())

  it('redraws one line in place on a terminal from the lifecycle events, and ends it with a newline', () => {
    vi.useFakeTimers({ now: 0 })
    const written: string[] = []
    const progress = startProgress({ isTTY: true, write: (t) => written.push(t) }, { label: 'night' })
    publishDrain({ messages: 3, objects: 3, duplicates: 0, skipped: 0, deadLettered: 0 })
    publishFile({ status: 'written', rowsIn: 10, rowsOut: 9, rowsRejected: 1 } as FileResult)
    publishFile({ status: 'dead-lettered', rowsIn: 0, rowsOut: 0, rowsRejected: 0 } as FileResult)
    publishQuality({ scope: 'file', status: 'fail' } as QualityEvent)
    vi.advanceTimersByTime(1000)
    progress.stop()
    progress.stop()
    expect(written.at(-2)).toBe(
      '\r\x1b[Knight 2/3 files · rows 10 in 9 out 1 rejected · 1 dead-lettered · 1/1 failed quality · 00:01 elapsed · ETA 00:01',
    )
    expect(written.at(-1)).toBe('\n')
    expect(written.filter((t) => t === '\n')).toHaveLength(1)
  })

  it('writes nothing when the stream is not a terminal', () => {
    const written: string[] = []
    startProgress({ isTTY: false, write: (t) => written.push(t) }, { label: 'night' }).stop()
    publishFile({ status: 'written', rowsIn: 1, rowsOut: 1, rowsRejected: 0 } as FileResult)
    expect(written).toEqual([])
  })
})
