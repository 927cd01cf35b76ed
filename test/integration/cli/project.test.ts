/**
 * A team's own project, outside Ferry's repository: two datasets (CSV `customers` with a transform
 * module, NDJSON `events` declared without code with a draft 2020-12 schema) and a third whose code
 * never returns. `ferry test` passes, then fails with a readable diff once an expectation is wrong;
 * `ferry nightly` on the local default writes every file of both datasets (read back here) and
 * dead-letters the endless loop as FERRY_TIMEOUT within the configured limit; a broken dataset.yaml
 * stops every command with exit 2.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { beforeAll, describe, expect, it } from 'vitest'
import { LocalNotificationQueue } from '../../../src/adapters/local/notification-queue.js'
import { LocalObjectStore } from '../../../src/adapters/local/object-store.js'
import { parquetMetadata, readParquetRows } from '../../../src/core/formats/parquet.js'
import { objectCreatedBody } from '../../../src/producers/object-created.js'
import { runFerry } from '../../support/bin.js'

const NIGHT = '2026-11-23'

const FILES: Record<string, string> = {
  'ferry.config.yaml': 'work:\n  idleMs: 500\n  limits: { fileTimeoutMs: 4000 }\nlog: { level: warn }\n',
  'datasets/customers/dataset.yaml': `# the CRM's nightly export
keys:
  - "crm/**/customers_*.csv"
eventTime: signup_at
transform: ./transform.js
steps:
  - derive: email
    fn: lower
  - derive: signup_day
    from: signup_at
    fn: utc_date
columns:
  - { name: customer_id, type: string, nullable: false }
  - { name: full_name, type: string }
  - { name: email, type: string }
  - { name: segment, type: string }
  - { name: lifetime_spend, type: double }
  - { name: signup_at, type: timestamp }
  - { name: signup_day, type: date }
checks:
  duplicates:
    - { columns: [customer_id] }
`,
  'datasets/customers/schema.json': JSON.stringify({
    $schema: 'http://json-schema.org/draft-07/schema#',
    type: 'object',
    additionalProperties: false,
    required: ['customer_id', 'first_name', 'email', 'signup_at'],
    properties: {
      customer_id: { type: 'string', pattern: '^C-[0-9]+$' },
      first_name: { type: 'string' },
      last_name: { type: 'string' },
      email: { type: 'string', format: 'email' },
      lifetime_spend: { type: 'number', minimum: 0 },
      signup_at: { type: 'string', format: 'date-time' },
    },
  }),
  'datasets/customers/transform.js': `// what the declarative steps cannot say: a name from its parts, a segment from the spend
export function transform(row) {
  const spend = row.lifetime_spend ?? 0
  return {
    ...row,
    full_name: [row.first_name, row.last_name].filter(Boolean).join(' '),
    segment: spend >= 1000 ? 'gold' : spend >= 100 ? 'silver' : 'bronze',
  }
}
`,
  'datasets/customers/tests/basic/case.yaml': 'key: crm/2026-11-23/customers_20261123.csv\n',
  'datasets/customers/tests/basic/input.csv': [
    'customer_id,first_name,last_name,email,lifetime_spend,signup_at',
    'C-1,Ann,Lee,Ann.Lee@Example.com,1200.5,2026-01-02T10:00:00Z',
    'C-2,Bob,Ray,bob@example.com,150,2026-03-04T23:30:00-02:00',
    'C-3,Cy,,cy@example.com,,2026-05-06T00:00:00Z',
    'X-9,Dan,Fox,not-an-email,5,2026-01-01T00:00:00Z',
    '',
  ].join('\n'),
  'datasets/customers/tests/basic/expected.ndjson': [
    '{"customer_id":"C-1","full_name":"Ann Lee","email":"ann.lee@example.com","segment":"gold","lifetime_spend":1200.5,"signup_at":"2026-01-02T10:00:00Z","signup_day":"2026-01-02"}',
    '{"customer_id":"C-2","full_name":"Bob Ray","email":"bob@example.com","segment":"silver","lifetime_spend":150,"signup_at":"2026-03-05T01:30:00Z","signup_day":"2026-03-05"}',
    '{"customer_id":"C-3","full_name":"Cy","email":"cy@example.com","segment":"bronze","signup_at":"2026-05-06T00:00:00.000+00:00","signup_day":"2026-05-06"}',
    '',
  ].join('\n'),
  'datasets/customers/tests/basic/rejected.ndjson':
    '{"row_number":4,"errors":[{"instancePath":"/customer_id","keyword":"pattern"},{"instancePath":"/email","keyword":"format"}]}\n',
  'datasets/events/dataset.yaml': `keys: ["events/**/*.ndjson", "events/**/*.ndjson.gz"]
eventTime: at
compression: gzip
steps:
  - { derive: type, fn: upper }
  - { derive: event_day, from: at, fn: utc_date }
  - { derive: amount_cents, from: amount_eur, fn: cents }
  - { rename: user, to: user_id }
columns:
  - { name: event_id, type: string, nullable: false }
  - { name: type, type: string, nullable: false }
  - { name: at, type: timestamp, nullable: false }
  - { name: event_day, type: date }
  - { name: user_id, type: string }
  - { name: amount_cents, type: int64 }
checks:
  allowedValues:
    - { column: type, values: [CLICK, VIEW, BUY] }
`,
  'datasets/events/schema.json': JSON.stringify({
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    $defs: { eventId: { type: 'string', pattern: '^E-[0-9]+$' } },
    properties: {
      event_id: { $ref: '#/$defs/eventId' },
      type: { enum: ['click', 'view', 'buy'] },
      at: { type: 'string', format: 'date-time' },
      user: { type: 'string' },
      amount_eur: { type: ['number', 'null'] },
    },
    required: ['event_id', 'type', 'at'],
    additionalProperties: false,
  }),
  'datasets/events/tests/basic/case.yaml': 'key: events/2026-11-23/events-00.ndjson\n',
  'datasets/events/tests/basic/input.ndjson': [
    '{"event_id":"E-1","type":"click","at":"2026-11-23T08:00:00Z","user":"u1"}',
    '{"event_id":"E-2","type":"buy","at":"2026-11-23T08:05:00.250Z","user":"u2","amount_eur":19.995}',
    '{"event_id":"E-3","type":"hover","at":"2026-11-23T08:06:00Z"}',
    'not json',
    '',
  ].join('\n'),
  'datasets/events/tests/basic/expected.ndjson': [
    '{"event_id":"E-1","type":"CLICK","at":"2026-11-23T08:00:00Z","event_day":"2026-11-23","user_id":"u1","amount_cents":null}',
    '{"event_id":"E-2","type":"BUY","at":"2026-11-23T08:05:00.250Z","event_day":"2026-11-23","user_id":"u2","amount_cents":2000}',
    '',
  ].join('\n'),
  'datasets/events/tests/basic/rejected.ndjson':
    '{"row_number":3,"errors":[{"instancePath":"/type","keyword":"enum"}]}\n{"row_number":4,"errors":[{"keyword":"read"}]}\n',
  // takes every CRM file, but below customers: its keys are the ambiguous ones of the night
  'datasets/crm_any/dataset.yaml': 'keys: ["crm/**"]\npriority: -1\ncolumns: [{ name: customer_id, type: string }]\n',
  'datasets/crm_any/schema.json': JSON.stringify({ type: 'object' }),
  'datasets/spin/dataset.yaml': 'keys: ["spin/**"]\ntransform: transform.js\ncolumns: [{ name: id, type: string }]\n',
  'datasets/spin/schema.json': JSON.stringify({ type: 'object', properties: { id: { type: 'string' } } }),
  'datasets/spin/transform.js': 'export function transform(row) {\n  while (row.id === "spin") {}\n  return row\n}\n',
}

function writeProject(root: string, files: Record<string, string>): void {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), content)
  }
}

function customersCsv(count: number): string {
  const lines = ['customer_id,first_name,last_name,email,lifetime_spend,signup_at']
  for (let i = 1; i <= count; i++)
    lines.push(`C-${i},First${i},Last${i},User${i}@Example.com,${i * 7.5},${NIGHT}T0${i % 10}:00:00Z`)
  return `${lines.join('\n')}\n`
}

function eventsNdjson(first: number, count: number): string {
  return Array.from({ length: count }, (_, i) =>
    JSON.stringify({
      event_id: `E-${first + i}`,
      type: ['click', 'view', 'buy'][i % 3],
      at: `${NIGHT}T10:00:0${i % 10}Z`,
      user: `u${i}`,
    }),
  ).join('\n')
}

type Rows = Array<Record<string, unknown>> & { codecs: string[] }

/** Every Parquet output of a dataset in the local lake, read back, and the codecs they were written with. */
async function outputRows(root: string, dataset: string): Promise<Rows> {
  const folder = join(root, '.ferry', 'buckets', 'lake', dataset, `date=${NIGHT}`)
  const rows: Array<Record<string, unknown>> = []
  const codecs = new Set<string>()
  for (const file of readdirSync(folder).filter((f) => f.endsWith('.parquet'))) {
    const bytes = new Uint8Array(readFileSync(join(folder, file)))
    rows.push(...(await readParquetRows(bytes)).rows)
    for (const codec of parquetMetadata(bytes).codecs) codecs.add(codec)
  }
  return Object.assign(rows, { codecs: [...codecs] })
}

describe('a Ferry project the user owns, outside the repository', () => {
  const root = mkdtempSync(join(tmpdir(), 'ferry-user-project-'))
  const env = { FERRY_LOG_FORMAT: 'json' }

  beforeAll(() => writeProject(root, FILES))

  it('lists its datasets and says which one takes a key', async () => {
    const listed = await runFerry(['datasets', '--json'], { cwd: root, env })
    expect(listed.code).toBe(0)
    const views = JSON.parse(listed.stdout) as Array<{ name: string; schema: { draft: string }; transform?: string }>
    expect(views.map((v) => [v.name, v.schema.draft, v.transform ?? null])).toEqual([
      ['crm_any', 'draft-07', null],
      ['customers', 'draft-07', 'datasets/customers/transform.js'],
      ['events', '2020-12', null],
      ['spin', 'draft-07', 'datasets/spin/transform.js'],
    ])
    const match = await runFerry(['datasets', '--match', 'events/2026-11-23/x.ndjson.gz'], { cwd: root, env })
    expect(match.stdout).toMatch(/^events\/2026-11-23\/x\.ndjson\.gz -> events: only events matches/)
    expect((await runFerry(['datasets', '--match', 'other/x.csv'], { cwd: root, env })).code).toBe(1)
    const crm = await runFerry(['datasets', '--match', 'crm/2026-11-23/customers_1.csv'], { cwd: root, env })
    expect(crm.stdout).toMatch(
      /^crm\/2026-11-23\/customers_1\.csv -> customers: customers has the highest priority \(0\)\n/,
    )
    expect(crm.stdout).toContain('crm_any              matches glob crm/** (priority -1)')
  })

  it('passes its tests, and fails with a readable diff when an expectation is wrong', async () => {
    const passed = await runFerry(['test', '--junit', 'ferry-junit.xml'], { cwd: root, env })
    expect(passed.stdout).toContain('cases=2 passed=2 failed=0')
    expect(passed.code).toBe(0)
    expect(readFileSync(join(root, 'ferry-junit.xml'), 'utf8')).toContain(
      '<testsuites name="ferry test" tests="2" failures="0"',
    )

    const expected = join(root, 'datasets/customers/tests/basic/expected.ndjson')
    const original = readFileSync(expected, 'utf8')
    writeFileSync(expected, original.replace('"segment":"silver"', '"segment":"gold"'))
    try {
      const failed = await runFerry(['test', 'customers'], { cwd: root, env })
      expect(failed.code).toBe(1)
      expect(failed.stdout).toContain('FAIL    customers/basic')
      expect(failed.stdout).toContain('row 2: segment: expected "gold", got "silver"')
      expect(failed.stdout).toContain('cases=1 passed=0 failed=1')
    } finally {
      writeFileSync(expected, original)
    }
  })

  it('runs a night over files of both datasets, and dead-letters the endless loop as FERRY_TIMEOUT', async () => {
    const store = new LocalObjectStore({ root: join(root, '.ferry', 'buckets') })
    const queue = new LocalNotificationQueue(join(root, '.ferry', 'queue'))
    const uploads: Array<[string, string | Uint8Array]> = [
      [`crm/${NIGHT}/customers_20261123.csv`, customersCsv(40)],
      [`events/${NIGHT}/events-00.ndjson.gz`, gzipSync(eventsNdjson(1, 30))],
      [`events/${NIGHT}/events-01.ndjson`, eventsNdjson(100, 20)],
      [`spin/${NIGHT}/spin.ndjson`, '{"id":"spin"}\n'],
    ]
    for (const [key, body] of uploads) {
      const info = await store.put('landing', key, typeof body === 'string' ? Buffer.from(body) : body)
      await queue.send(objectCreatedBody(info, new Date(`${NIGHT}T23:30:00Z`)))
    }
    const started = Date.now()
    const night = await runFerry(['nightly'], { cwd: root, env })
    expect(night.stdout.trim().split('\n').at(-1)).toMatch(/^files=4 written=3 quarantined_rows=0 dead_lettered=1 /)
    expect(night.code).toBe(1)
    expect(night.stdout).toContain('note: 1 key(s) matched several datasets')
    expect(night.stdout).toContain(`landing/crm/${NIGHT}/customers_20261123.csv -> customers (also crm_any)`)
    // the 4 s file limit, not the 30 min default, ended the loop
    expect(Date.now() - started).toBeLessThan(60_000)

    const customers = await outputRows(root, 'customers')
    expect(customers).toHaveLength(40)
    expect(customers[0]).toMatchObject({
      customer_id: 'C-1',
      full_name: 'First1 Last1',
      email: 'user1@example.com',
      segment: 'bronze',
    })
    expect(customers.find((r) => r.customer_id === 'C-40')).toMatchObject({ segment: 'silver', lifetime_spend: 300 })
    // the configured default (zstd), and the dataset's own choice, reach the worker threads' writer
    expect(customers.codecs).toEqual(['ZSTD'])
    const events = await outputRows(root, 'events')
    expect(events.codecs).toEqual(['GZIP'])
    expect(events).toHaveLength(50)
    expect(new Set(events.map((r) => r.type))).toEqual(new Set(['CLICK', 'VIEW', 'BUY']))
    expect(events.every((r) => r.event_day === NIGHT)).toBe(true)

    const status = await runFerry(['status', '--json'], { cwd: root, env })
    const spin = status.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { key: string; lastError: { code: string; message: string } | null })
      .find((entry) => entry.key.startsWith('spin/'))
    expect(spin?.lastError?.code).toBe('FERRY_TIMEOUT')
    expect(spin?.lastError?.message).toMatch(/processing stopped after 4000 ms/)
  })

  it('stops every command with exit 2 when a dataset.yaml is broken, naming the file and each problem', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'ferry-broken-project-'))
    cpSync(join(root, 'datasets'), join(broken, 'datasets'), { recursive: true })
    const events = join(broken, 'datasets/events/dataset.yaml')
    // an unknown key, a check on a column that does not exist
    writeFileSync(
      events,
      `${readFileSync(events, 'utf8').replace('keys:', 'keyz: []\nkeys:')}  range:\n    - { column: amount, min: 0 }\n`,
    )
    // a bad type, a schema file that does not exist
    const customers = join(broken, 'datasets/customers/dataset.yaml')
    writeFileSync(customers, `priority: high\nschema: customer.json\n${readFileSync(customers, 'utf8')}`)
    for (const command of [['datasets'], ['test'], ['nightly']]) {
      const run = await runFerry(command, { cwd: broken, env })
      expect(run.code, command[0]).toBe(2)
      expect(run.stderr).toContain('datasets/events/dataset.yaml:1: keyz: unknown field')
      expect(run.stderr).toContain('checks.range.0.column: "amount" is not an output column')
      expect(run.stderr).toContain('datasets/customers/dataset.yaml:1: priority: must be integer')
      expect(run.stderr).toMatch(
        /datasets\/customers\/dataset\.yaml:2: schema: \S*customer\.json does not exist or cannot be read/,
      )
      expect(run.stderr).not.toMatch(/\n\s+at /)
    }
  })

  it('stops at boot with exit 2 when a transform module cannot be loaded or exports nothing usable', async () => {
    const broken = mkdtempSync(join(tmpdir(), 'ferry-broken-module-'))
    cpSync(join(root, 'datasets'), join(broken, 'datasets'), { recursive: true })
    const module = join(broken, 'datasets/customers/transform.js')
    writeFileSync(module, 'export function transform(row) {\n  return { ...row,\n}\n')
    const syntax = await runFerry(['test', 'customers'], { cwd: broken, env })
    expect(syntax.code).toBe(2)
    expect(syntax.stderr).toContain(`dataset customers: transform module ${module} could not be loaded`)
    writeFileSync(module, 'export const transform = 42\nexport const steps = [{ derive: "x", fn: "nope" }]\n')
    const exports = await runFerry(['nightly'], { cwd: broken, env })
    expect(exports.code).toBe(2)
    expect(exports.stderr).toContain('transform: must be a function (row) => row')
    expect(exports.stderr).toContain('steps.0.fn: unknown function "nope"')
  })
})
