/**
 * A dataset's test cases (`datasets/<name>/tests/<case>/`): `input.<ext>` (a sample file in any
 * format Ferry reads), `expected.ndjson` (the output rows), optionally `rejected.ndjson` (the
 * quarantined rows; none expected without it) and `case.yaml`:
 *
 *   key: exports/2026-11-23/orders-0001.csv   # the landing key the input stands for (matched like a real one)
 *   expect: dead-lettered                      # a file that must not be processed...
 *   code: FERRY_FORMAT                         # ...for this reason
 *
 * Without `key`, the input stands for `<dataset>/<case>/<input file name>`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { Row } from '../core/dataset.js'
import type { DatasetSpec } from '../core/dataset-spec.js'

export interface TestCase {
  dataset: string
  name: string
  dir: string
  /** the input file */
  input: string
  /** the landing key the input stands for */
  key: string
  /** `dead-lettered` (with an optional error code) for a case whose file must not be processed */
  expect: { status: 'processed' } | { status: 'dead-lettered'; code?: string }
  /** what is wrong with the case folder itself; such a case fails without running */
  problems: string[]
}

const CASE_FIELDS = new Set(['key', 'expect', 'code'])

function caseFile(dir: string, problems: string[]): Record<string, unknown> {
  const path = join(dir, 'case.yaml')
  if (!existsSync(path)) return {}
  try {
    const parsed: unknown = parseYaml(readFileSync(path, 'utf8'))
    if (parsed === null || parsed === undefined) return {}
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('must be a mapping')
    for (const field of Object.keys(parsed)) {
      if (!CASE_FIELDS.has(field))
        problems.push(`case.yaml: unknown field ${field} (known: ${[...CASE_FIELDS].join(', ')})`)
    }
    return parsed as Record<string, unknown>
  } catch (err) {
    problems.push(`case.yaml: ${(err as Error).message.split('\n')[0]}`)
    return {}
  }
}

function readCase(dataset: DatasetSpec, dir: string): TestCase {
  const name = basename(dir)
  const problems: string[] = []
  const inputs = readdirSync(dir).filter((f) => /^input\./.test(f))
  if (inputs.length !== 1) {
    problems.push(inputs.length === 0 ? 'no input.<ext> file' : `several input files: ${inputs.join(', ')}`)
  }
  const input = join(dir, inputs[0] ?? 'input')
  const fields = caseFile(dir, problems)
  if (fields.key !== undefined && (typeof fields.key !== 'string' || fields.key === '')) {
    problems.push('case.yaml: key must be a landing object key')
  }
  if (fields.expect !== undefined && fields.expect !== 'processed' && fields.expect !== 'dead-lettered') {
    problems.push('case.yaml: expect must be processed or dead-lettered')
  }
  if (fields.code !== undefined && (typeof fields.code !== 'string' || fields.expect !== 'dead-lettered')) {
    problems.push('case.yaml: code goes with expect: dead-lettered and names an error code (FERRY_FORMAT...)')
  }
  const deadLettered = fields.expect === 'dead-lettered'
  return {
    dataset: dataset.name,
    name,
    dir,
    input,
    key: typeof fields.key === 'string' && fields.key ? fields.key : `${dataset.name}/${name}/${basename(input)}`,
    expect: deadLettered
      ? { status: 'dead-lettered', ...(typeof fields.code === 'string' ? { code: fields.code } : {}) }
      : { status: 'processed' },
    problems,
  }
}

/** The cases of each dataset, by dataset and case name. */
export function findCases(datasets: readonly DatasetSpec[]): TestCase[] {
  const cases: TestCase[] = []
  for (const dataset of datasets) {
    const tests = join(dirname(dataset.file), 'tests')
    if (!existsSync(tests)) continue
    for (const entry of readdirSync(tests).sort()) {
      const dir = join(tests, entry)
      if (!entry.startsWith('.') && statSync(dir).isDirectory()) cases.push(readCase(dataset, dir))
    }
  }
  return cases
}

/** Reads an NDJSON file of objects; a line that is not one is a problem naming its number. */
export function readNdjson<T = Row>(path: string, problems: string[]): T[] {
  if (!existsSync(path)) return []
  const rows: T[] = []
  readFileSync(path, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return
      try {
        const value: unknown = JSON.parse(line)
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not a JSON object')
        rows.push(value as T)
      } catch (err) {
        problems.push(`${basename(path)} line ${i + 1}: ${(err as Error).message}`)
      }
    })
  return rows
}
