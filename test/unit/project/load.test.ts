import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { datasetFromSpec } from '../../../src/core/dataset-spec.js'
import { ConfigError } from '../../../src/errors.js'
import { loadDatasets } from '../../../src/project/load.js'

const SCHEMA_2020 = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object',
  $defs: { id: { type: 'string', pattern: '^E-[0-9]+$' } },
  properties: {
    id: { $ref: '#/$defs/id' },
    kind: { $ref: './common.json#/$defs/kind' },
    at: { type: 'string', format: 'date-time' },
  },
  required: ['id', 'at'],
  additionalProperties: false,
}

const EVENTS_YAML = `
keys:
  - "events/**/*.ndjson"
  - { regex: "^legacy/events-" }
schema: schema.json
eventTime: at
steps:
  - derive: kind
    fn: upper
  - derive: day
    from: at
    fn: utc_date
columns:
  - { name: id, type: string, nullable: false }
  - { name: kind, type: string }
  - { name: at, type: timestamp }
  - { name: day, type: date }
checks:
  nullRate:
    - { column: id, max: 0 }
`

/** A project folder in the system's temporary folder: `files` by path relative to it. */
function project(files: Record<string, string | object>): string {
  const root = mkdtempSync(join(tmpdir(), 'ferry-project-'))
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), typeof content === 'string' ? content : JSON.stringify(content))
  }
  return root
}

/** The case's dataset.yaml line, with keys and columns added unless it sets them itself. */
function withDefaults(line: string): string {
  const keys = line.startsWith('keys:') ? '' : 'keys: [d/**]\n'
  const columns = line.startsWith('columns:') ? '' : 'columns: [{ name: id, type: string }]\n'
  return `${keys}${columns}${line}\n`
}

function problemsOf(root: string): string[] {
  try {
    loadDatasets(join(root, 'datasets'), root)
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return (err as ConfigError).problems
  }
  throw new Error('the project loaded')
}

describe('loadDatasets', () => {
  const valid = {
    'datasets/events/dataset.yaml': EVENTS_YAML,
    'datasets/events/schema.json': SCHEMA_2020,
    'datasets/events/common.json': { $defs: { kind: { type: ['string', 'null'], enum: ['click', 'view', null] } } },
    'datasets/_shared/README.md': 'not a dataset',
  }

  it('loads a declarative dataset with a draft 2020-12 schema and a sibling-file $ref', () => {
    const root = project(valid)
    const [events, ...rest] = loadDatasets(join(root, 'datasets'), root)
    expect(rest).toEqual([])
    expect(events).toMatchObject({
      name: 'events',
      priority: 0,
      eventTimeField: 'at',
      file: join(root, 'datasets/events/dataset.yaml'),
      schemaFile: join(root, 'datasets/events/schema.json'),
      steps: [
        { op: 'derive', column: 'kind', from: ['kind'], fn: 'upper', args: {} },
        { op: 'derive', column: 'day', from: ['at'], fn: 'utc_date', args: {} },
      ],
    })
    expect(events!.keys.map((k) => [k.kind, k.pattern])).toEqual([
      ['glob', 'events/**/*.ndjson'],
      ['regex', '^legacy/events-'],
    ])
    expect(Object.keys(events!.schemaRefs ?? {})).toEqual([`file://${join(root, 'datasets/events/common.json')}`])
    const dataset = datasetFromSpec(events!)
    expect(dataset.transform({ id: 'E-1', kind: 'click', at: '2026-11-23T23:30:00-01:00' })).toEqual({
      id: 'E-1',
      kind: 'CLICK',
      at: '2026-11-23T23:30:00-01:00',
      day: '2026-11-24',
    })
  })

  it('takes dataset.json too, names a dataset by its folder unless it says otherwise, and sorts by name', () => {
    const json = { keys: ['b/**'], columns: [{ name: 'id', type: 'string' }], $schema: '../../dataset.schema.json' }
    const root = project({
      ...valid,
      'datasets/beta/dataset.json': json,
      'datasets/beta/schema.json': { type: 'object', properties: { id: { type: 'string' } } },
      'datasets/zeta/dataset.yaml': 'name: alpha\nkeys: [a/**]\ncolumns: [{ name: id, type: string }]\n',
      'datasets/zeta/schema.json': { type: 'object', properties: { id: { type: 'string' } } },
    })
    expect(loadDatasets(join(root, 'datasets'), root).map((d) => d.name)).toEqual(['alpha', 'beta', 'events'])
  })

  it('lists every problem of every dataset with its file, line and field', () => {
    const root = project({
      ...valid,
      'datasets/orders/dataset.yaml': [
        'keys: ["orders/**"]',
        'shema: schema.json',
        'priority: high',
        'steps:',
        '  - derive: country',
        '    fn: uper',
        '  - rename: nope',
        '    to: other',
        'columns:',
        '  - { name: id, type: string }',
        '  - { name: amount, type: float }',
        'checks:',
        '  nullRate:',
        '    - { column: customer, max: 0 }',
        '',
      ].join('\n'),
      'datasets/orders/schema.json': {
        type: 'object',
        properties: { id: { type: 'string' }, country: { type: 'string' } },
      },
      'datasets/returns/dataset.yaml':
        'keys: ["returns/**"]\nschema: missing.json\ncolumns: [{ name: id, type: string }]\n',
      'datasets/broken/dataset.yaml': 'keys: [\n',
      'datasets/nofile/notes.txt': 'hello',
    })
    const problems = problemsOf(root)
    const orders = 'datasets/orders/dataset.yaml'
    for (const expected of [
      `${orders}:2: shema: unknown field`,
      `${orders}:3: priority: must be integer`,
      `${orders}:11: columns.1.type: must be one of "string", "int32", "int64", "double", "boolean", "timestamp", "date"`,
      `${orders}:6: steps.0.fn: unknown function "uper" (one of upper, lower,`,
      `${orders}:7: steps.1: reads "nope", which is neither a schema property nor made by an earlier step`,
      `${orders}:14: checks.nullRate.0.column: "customer" is not an output column`,
      `missing.json does not exist or cannot be read`,
      'datasets/broken/dataset.yaml: (file): line 2: Flow sequence in block collection must be sufficiently indented',
      'datasets/nofile: no dataset.yaml or dataset.yml or dataset.json in this folder',
    ]) {
      expect(
        problems.filter((p) => p.includes(expected)),
        expected,
      ).toHaveLength(1)
    }
    expect(problems.filter((p) => p.startsWith('datasets/events'))).toEqual([])
  })

  it('refuses a schema that does not compile, naming the draft rule it breaks', () => {
    const root = project({
      'datasets/d/dataset.yaml': 'keys: [d/**]\ncolumns: [{ name: id, type: string }]\n',
      'datasets/d/schema.json': { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' },
    })
    expect(problemsOf(root)).toEqual([
      expect.stringMatching(/^datasets\/d\/dataset\.yaml: schema: dataset d: unsupported \$schema/),
    ])
  })

  it('reports output columns nothing makes, two datasets with one name, and a missing transform module', () => {
    const schema = { type: 'object', properties: { id: { type: 'string' } } }
    const root = project({
      'datasets/a/dataset.yaml':
        'name: same\nkeys: [a/**]\ncolumns: [{ name: id, type: string }, { name: idd, type: string }]\n',
      'datasets/a/schema.json': schema,
      'datasets/b/dataset.yaml':
        'name: same\nkeys: [b/**]\ntransform: ./transform.js\ncolumns: [{ name: x, type: string }]\n',
      'datasets/b/schema.json': schema,
    })
    expect(problemsOf(root)).toEqual([
      'datasets/a/dataset.yaml:3: columns.1: "idd" is neither a schema property nor made by a step',
      expect.stringMatching(/^datasets\/b\/dataset\.yaml:3: transform: .*transform\.js does not exist$/),
    ])
    const fixed = project({
      'datasets/a/dataset.yaml': 'name: same\nkeys: [a/**]\ncolumns: [{ name: id, type: string }]\n',
      'datasets/a/schema.json': schema,
      'datasets/b/dataset.yaml': 'name: same\nkeys: [b/**]\ncolumns: [{ name: id, type: string }]\n',
      'datasets/b/schema.json': schema,
    })
    expect(problemsOf(fixed)).toEqual([
      'datasets/b/dataset.yaml: name: same is also the name of datasets/a/dataset.yaml',
    ])
  })

  it.each([
    ['steps: upper', 'steps: must be array'],
    ['transform: 5', 'transform: must be string'],
    ['schema: [a]', 'schema: must be string'],
    ['name: 7', 'name: must be string'],
    ['columns: [id]', 'columns.0: must be object'],
    ['keys: [5]', 'keys.0: must be a glob pattern (text), { glob: ... } or { regex: ... }'],
    ['keys: [{ regex: "(" }]', 'keys.0: Invalid regular expression'],
    ['checks: 3', 'checks: must be object'],
    ['quality: high', 'quality: must be object'],
    ['csv: ","', 'csv: must be object'],
    ['- a list', '(top level): must be object'],
    ['42', '(top level): must be object'],
  ])('reports "%s" as a problem, never a crash', (yaml, expected) => {
    const root = project({
      'datasets/d/dataset.yaml': /^(-|42)/.test(yaml) ? yaml : withDefaults(yaml),
      'datasets/d/schema.json': { type: 'object', properties: { id: { type: 'string' } } },
    })
    const problems = problemsOf(root)
    expect(
      problems.filter((p) => p.includes(expected)),
      problems.join('\n'),
    ).toHaveLength(1)
  })

  it('says where it looked when the folder is missing', () => {
    expect(() => loadDatasets('/nonexistent/datasets', '/')).toThrow(
      /the datasets folder \/nonexistent\/datasets does not exist/,
    )
  })
})
