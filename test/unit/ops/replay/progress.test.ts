import { describe, expect, it } from 'vitest'
import { progressBar, renderBar } from '../../../../src/ops/replay/progress.js'

function stream(isTTY: boolean) {
  const writes: string[] = []
  return { isTTY, writes, write: (text: string) => writes.push(text) }
}

describe('progressBar', () => {
  it('redraws one line with carriage returns on a terminal and ends it', () => {
    const tty = stream(true)
    const bar = progressBar(tty, 'enqueued', 4)
    bar.update(1)
    bar.update(4)
    bar.finish()
    expect(tty.writes).toEqual([`\r${renderBar('enqueued', 1, 4)}`, `\r${renderBar('enqueued', 4, 4)}`, '\n'])
  })

  it('draws nothing in a pipe or a log file', () => {
    const pipe = stream(false)
    const bar = progressBar(pipe, 'enqueued', 4)
    bar.update(2)
    bar.finish()
    expect(pipe.writes).toEqual([])
  })
})

describe('renderBar', () => {
  it('shows the fraction and the percentage', () => {
    expect(renderBar('x', 0, 4)).toBe(`x [>${' '.repeat(29)}] 0/4 0%`)
    expect(renderBar('x', 1, 4)).toBe(`x [${'='.repeat(8)}>${' '.repeat(21)}] 1/4 25%`)
    expect(renderBar('x', 4, 4)).toBe(`x [${'='.repeat(30)}] 4/4 100%`)
    expect(renderBar('x', 9, 4)).toBe(`x [${'='.repeat(30)}] 4/4 100%`)
  })
})
