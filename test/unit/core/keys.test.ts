import { describe, expect, it } from 'vitest'
import { keyMatcher, matchDatasets, resolutionReason } from '../../../src/core/keys.js'

const dataset = (name: string, keys: Parameters<typeof keyMatcher>[0][], priority = 0) => ({
  name,
  priority,
  keys: keys.map(keyMatcher),
})

describe('key matching', () => {
  it('reads globs, { glob }, { regex } and RegExp', () => {
    expect(keyMatcher('a/**/*.csv')).toMatchObject({ kind: 'glob', pattern: 'a/**/*.csv' })
    expect(keyMatcher({ glob: '*.csv' })).toMatchObject({ kind: 'glob', pattern: '*.csv' })
    expect(keyMatcher({ regex: '^a/' })).toMatchObject({ kind: 'regex', pattern: '^a/' })
    expect(keyMatcher(/x/i)).toMatchObject({ kind: 'regex', pattern: 'x' })
    expect(() => keyMatcher({ regex: '(' })).toThrow(SyntaxError)
  })

  it('matches globs against the whole key, dot segments included, and regexes anywhere', () => {
    const d = dataset('d', ['exports/*/customers_*.csv', { regex: 'events-\\d+\\.ndjson$' }])
    expect(matchDatasets([d], 'exports/2026-11-23/customers_1.csv')).toHaveLength(1)
    expect(matchDatasets([d], 'exports/.hidden/customers_1.csv')).toHaveLength(1)
    expect(matchDatasets([d], 'exports/a/b/customers_1.csv')).toHaveLength(0)
    expect(matchDatasets([d], 'deep/down/events-7.ndjson')[0]?.matcher.kind).toBe('regex')
  })

  it('orders several matches by priority, then name, and says why', () => {
    const broad = dataset('all', ['**'])
    const orders = dataset('orders', ['orders/**'])
    const urgent = dataset('urgent', ['orders/urgent/**'], 5)
    const key = 'orders/urgent/x.csv'
    const matches = matchDatasets([orders, urgent, broad], key)
    expect(matches.map((m) => m.dataset.name)).toEqual(['urgent', 'all', 'orders'])
    expect(resolutionReason(matches)).toBe('urgent has the highest priority (5)')
    const tie = matchDatasets([orders, broad], key)
    expect(tie.map((m) => m.dataset.name)).toEqual(['all', 'orders'])
    expect(resolutionReason(tie)).toBe('all comes first by name among datasets of priority 0')
    expect(resolutionReason(matchDatasets([orders], key))).toBe('only orders matches')
    expect(resolutionReason([])).toBe('no dataset matches')
  })
})
