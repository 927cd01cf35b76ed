import { describe, expect, it } from 'vitest'
import { SLACK_LIMITS, type SlackBlock, slackMessage } from '../../../../src/ops/alerts/slack-message.js'
import type { Alert, AlertItem } from '../../../../src/ports.js'

const runId = 'run-20261124T000100Z-abc123'

function item(check: string, i: number, message = 'rows lost'): AlertItem {
  return { key: `landing/orders/f${i}.csv`, check, observed: '0.8', threshold: '0.95', message }
}

function texts(blocks: SlackBlock[]): string[] {
  return blocks.flatMap((b) =>
    b.type === 'context' ? b.elements.map((e) => e.text) : b.type === 'header' ? [b.text.text] : [b.text.text],
  )
}

/** Every Slack limit the message must respect, or Slack rejects it whole. */
function expectWithinLimits(blocks: SlackBlock[]) {
  expect(blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks)
  for (const b of blocks) {
    if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.header)
    if (b.type === 'section') expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text)
    if (b.type === 'context') {
      expect(b.elements.length).toBeLessThanOrEqual(SLACK_LIMITS.contextElements)
      for (const e of b.elements) expect(e.text.length).toBeLessThanOrEqual(SLACK_LIMITS.text)
    }
  }
}

describe('slackMessage', () => {
  it('renders a header, a section per check with observed vs threshold, and the run id in context', () => {
    const alert: Alert = {
      severity: 'fail',
      title: 'Ferry orders: 2 file(s) failed row_ratio',
      runId,
      dataset: 'orders',
      items: [item('row_ratio', 1), { ...item('processing', 2), quarantine: 'gs://lake/q/f2.jsonl' }],
      omitted: { row_ratio: 40 },
      links: [{ label: 'logs', url: 'https://logs.example/q?a=1&b=2' }],
    }
    const { text, blocks } = slackMessage(alert)
    expect(text).toBe(`Ferry orders: 2 file(s) failed row_ratio (run ${runId})`)
    expect(blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'context'])
    expect(texts(blocks)).toEqual([
      ':red_circle: Ferry orders: 2 file(s) failed row_ratio',
      '*orders* · `row_ratio` · 41 file(s)\n• `landing/orders/f1.csv` observed *0.8* vs threshold *0.95*: rows lost\n… and 40 more',
      '*orders* · `processing` · 1 file(s)\n• `landing/orders/f2.csv` observed *0.8* vs threshold *0.95*: rows lost → quarantine `gs://lake/q/f2.jsonl`',
      `run \`${runId}\``,
      '<https://logs.example/q?a=1&amp;b=2|logs>',
    ])
  })

  it('truncates a section at 3000 characters and counts what it left out', () => {
    const long = 'x'.repeat(400)
    const items = Array.from({ length: 30 }, (_, i) => item('row_ratio', i, long))
    const { blocks } = slackMessage({
      severity: 'warn',
      title: 't',
      runId,
      dataset: 'orders',
      items,
      omitted: { row_ratio: 100 },
    })
    expectWithinLimits(blocks)
    const section = texts(blocks)[1] ?? ''
    const shown = section.split('\n').filter((l) => l.startsWith('• ')).length
    const more = Number(/… and (\d+) more$/.exec(section)?.[1])
    expect(shown).toBeGreaterThan(0)
    expect(shown + more).toBe(130)
    expect(texts(blocks)[0]).toMatch(/^:large_yellow_circle: /)
  })

  it('stays within 50 blocks when an alert has more checks than fit, naming the ones left out', () => {
    const items = Array.from({ length: 60 }, (_, i) => item(`check_${i}`, i))
    const { blocks } = slackMessage({
      severity: 'fail',
      title: 'x'.repeat(400),
      runId,
      items,
      notes: ['3 more alert(s) suppressed'],
      links: Array.from({ length: 15 }, (_, i) => ({ label: `l${i}`, url: `https://l.example/${i}` })),
    })
    expectWithinLimits(blocks)
    expect(blocks).toHaveLength(SLACK_LIMITS.blocks)
    const all = texts(blocks)
    expect(all).toContain('3 more alert(s) suppressed')
    const overflow = all.find((t) => t.startsWith('… and ')) ?? ''
    expect(overflow.split('\n')[0]).toBe('… and 14 more check(s):')
    expect(overflow).toContain('`check_59` 1 file(s)')
    expect(all.some((t) => t.startsWith('*night* · `check_0`'))).toBe(true)
  })

  it("escapes Slack's control characters and keeps code spans closed", () => {
    const { blocks } = slackMessage({
      severity: 'fail',
      title: 'a <b> & c',
      runId,
      dataset: 'x<y',
      items: [{ key: 'odd`key<1>.csv', check: 'c', observed: '<1', threshold: '>2', message: 'a & b' }],
    })
    expect(texts(blocks)[1]).toBe(
      "*x&lt;y* · `c` · 1 file(s)\n• `odd'key&lt;1&gt;.csv` observed *&lt;1* vs threshold *&gt;2*: a &amp; b",
    )
  })
})
