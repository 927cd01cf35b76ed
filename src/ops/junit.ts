/**
 * `ferry test --junit FILE`: the results as JUnit XML, the format CI systems (GitHub Actions
 * reporters, GitLab, Jenkins) show test results from: one <testsuite> per dataset, one <testcase>
 * per case, a <failure> with the differences for a failed one.
 */

export interface JunitCase {
  suite: string
  name: string
  durationMs: number
  /** empty when the case passed */
  problems: readonly string[]
}

/** Text safe in XML content and attributes; characters XML 1.0 cannot hold at all are dropped. */
function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;')
}

const seconds = (ms: number) => (ms / 1000).toFixed(3)

export function junitXml(cases: readonly JunitCase[], name = 'ferry test'): string {
  const suites = new Map<string, JunitCase[]>()
  for (const c of cases) suites.set(c.suite, [...(suites.get(c.suite) ?? []), c])
  const failures = cases.filter((c) => c.problems.length > 0).length
  const total = cases.reduce((sum, c) => sum + c.durationMs, 0)
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xml(name)}" tests="${cases.length}" failures="${failures}" errors="0" time="${seconds(total)}">`,
  ]
  for (const [suite, list] of suites) {
    const failed = list.filter((c) => c.problems.length > 0).length
    const time = list.reduce((sum, c) => sum + c.durationMs, 0)
    lines.push(
      `  <testsuite name="${xml(suite)}" tests="${list.length}" failures="${failed}" errors="0" skipped="0" time="${seconds(time)}">`,
    )
    for (const c of list) {
      const open = `    <testcase classname="${xml(suite)}" name="${xml(c.name)}" time="${seconds(c.durationMs)}"`
      if (c.problems.length === 0) {
        lines.push(`${open}/>`)
        continue
      }
      lines.push(`${open}>`)
      lines.push(`      <failure message="${xml(c.problems[0] ?? '')}">${xml(c.problems.join('\n'))}</failure>`)
      lines.push('    </testcase>')
    }
    lines.push('  </testsuite>')
  }
  lines.push('</testsuites>', '')
  return lines.join('\n')
}
