import { describe, expect, it } from 'vitest'
import { junitXml } from '../../../src/ops/junit.js'

describe('junitXml', () => {
  const xml = junitXml([
    { suite: 'orders', name: 'basic', durationMs: 1234, problems: [] },
    {
      suite: 'orders',
      name: 'bad <rows>',
      durationMs: 10,
      problems: ['row 1: note: expected "a & b", got null', 'second'],
    },
    { suite: 'events', name: 'sample', durationMs: 5, problems: ['control \u0001 char'] },
  ])

  it('has one suite per dataset with its counts and times in seconds', () => {
    expect(xml).toMatch(
      /^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="ferry test" tests="3" failures="2" errors="0" time="1.249">/,
    )
    expect(xml).toContain('<testsuite name="orders" tests="2" failures="1" errors="0" skipped="0" time="1.244">')
    expect(xml).toContain('<testsuite name="events" tests="1" failures="1" errors="0" skipped="0" time="0.005">')
    expect(xml).toContain('<testcase classname="orders" name="basic" time="1.234"/>')
  })

  it('escapes what XML cannot hold as text and keeps every difference in the failure', () => {
    expect(xml).toContain('<testcase classname="orders" name="bad &lt;rows&gt;" time="0.010">')
    expect(xml).toContain(
      '<failure message="row 1: note: expected &quot;a &amp; b&quot;, got null">row 1: note: expected &quot;a &amp; b&quot;, got null\nsecond</failure>',
    )
    expect(xml).toContain('<failure message="control  char">')
    expect(xml.match(/<testcase /g)).toHaveLength(3)
    expect(xml.match(/<\/testsuite>/g)).toHaveLength(2)
    expect(xml.trimEnd().endsWith('</testsuites>')).toBe(true)
  })
})
