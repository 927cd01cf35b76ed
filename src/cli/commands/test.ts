import { writeFile } from 'node:fs/promises'
import { relative, resolve } from 'node:path'
import { requireDatasets } from '../../app/boot.js'
import { type CaseResult, runDatasetTests } from '../../app/dataset-tests.js'
import { UsageError } from '../../errors.js'
import { junitXml } from '../../ops/junit.js'
import { boolOpt, type Command, Exit, stringOpt } from '../command.js'
import { createRuntime } from '../runtime.js'

export const testCommand: Command = {
  name: 'test',
  summary: "run the datasets' test cases through the worker engine and compare the rows",
  usage: `Usage: ferry test [DATASET...] [--junit FILE] [--update]

Runs each case under datasets/<name>/tests/<case>/ through exactly what 'ferry work' does with an
object: the case's input (input.<ext>, any format Ferry reads) is matched by its landing key (key: in
case.yaml), processed by the engine's worker threads within the configured limits, and written as
Parquet, with rejected rows quarantined. The written rows are compared with expected.ndjson (one
JSON object per line; timestamps as RFC 3339 UTC text, dates as YYYY-MM-DD) and the rejected rows
with rejected.ndjson (the quarantine's lines, or only the fields that matter; no file: none
rejected). A case with "expect: dead-lettered" (and optionally "code: FERRY_FORMAT") passes when the
file is dead-lettered.
Exit 0 when every case passes, 1 when one fails, 2 when the project is broken.

Examples:
  ferry test
  ferry test orders --junit reports/ferry.xml
  ferry test orders --update      # rewrite the expectations from what the engine writes now, then review the diff`,
  options: { junit: { type: 'string' }, update: { type: 'boolean' } },
  optionHelp: {
    junit: 'also write the results as JUnit XML to this file (for CI)',
    update: 'rewrite expected.ndjson and rejected.ndjson from the current output instead of comparing',
  },
  positionals: { min: 0, max: 1000 },
  async run(args, ctx) {
    const app = createRuntime(args, ctx)
    const datasets = requireDatasets(app)
    const known = new Set(datasets.map((d) => d.name))
    const unknown = args.positionals.filter((name) => !known.has(name))
    if (unknown.length > 0) {
      throw new UsageError(`no dataset named ${unknown.join(', ')} (known: ${[...known].join(', ')})`)
    }
    const results = await runDatasetTests(app, {
      datasets: args.positionals,
      update: boolOpt(args, 'update'),
      signal: ctx.signal,
    })
    for (const line of formatResults(results, ctx.cwd)) ctx.out(line)
    const junit = stringOpt(args, 'junit')
    if (junit) {
      const cases = results.map((r) => ({
        suite: r.dataset,
        name: r.name,
        durationMs: r.durationMs,
        problems: r.problems,
      }))
      await writeFile(resolve(ctx.cwd, junit), junitXml(cases))
    }
    if (results.length === 0) {
      ctx.out('no test cases: add datasets/<name>/tests/<case>/ with input.<ext> and expected.ndjson')
      return Exit.OK
    }
    return results.some((r) => r.status === 'fail') ? Exit.DATA : Exit.OK
  },
}

function formatResults(results: readonly CaseResult[], cwd: string): string[] {
  const lines: string[] = []
  for (const r of results) {
    const rows = r.rows ? ` (${r.rows.out} row(s) written, ${r.rows.rejected} rejected)` : ''
    const verdict = r.updated ? 'UPDATED' : r.status === 'pass' ? 'PASS' : 'FAIL'
    lines.push(`${verdict.padEnd(7)} ${r.dataset}/${r.name}${rows} ${r.durationMs} ms`)
    if (r.updated) lines.push(`        wrote ${r.updated.map((f) => relative(cwd, resolve(r.dir, f))).join(', ')}`)
    for (const problem of r.problems) lines.push(`        ${problem}`)
  }
  const failed = results.filter((r) => r.status === 'fail').length
  if (results.length > 0) lines.push('', `cases=${results.length} passed=${results.length - failed} failed=${failed}`)
  return lines
}
