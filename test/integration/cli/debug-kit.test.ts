/**
 * The debug kit against real S3 (moto) and GCS (the GCS test server). The commands are called
 * directly, with arguments parsed as main() parses them, until they are registered in the CLI.
 */
import { connect, createServer, type Server } from 'node:net'
import { parseArgs } from 'node:util'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { type Command, commonOptions } from '../../../src/cli/command.js'
import { catCommand } from '../../../src/cli/commands/cat.js'
import { findCommand } from '../../../src/cli/commands/find.js'
import { inspectCommand } from '../../../src/cli/commands/inspect.js'
import { processCommand } from '../../../src/cli/commands/process.js'
import { validateCommand } from '../../../src/cli/commands/validate.js'
import { generateSampleNight, type SampleFile } from '../../../src/core/sample-night.js'
import { FormatError } from '../../../src/errors.js'
import { type CliRun, createWorld, Exit, type FerryWorld } from '../../support/ferry-env.js'

const endpoints = inject('endpoints')

/** Runs a command in-process as main() would, minus the exit-code mapping of thrown errors. */
async function run(command: Command, argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<CliRun> {
  const args = parseArgs({
    args: argv,
    options: { ...command.options, ...commonOptions },
    allowPositionals: true,
    strict: true,
  })
  const out: string[] = []
  const err: string[] = []
  const code = await command.run(args, {
    out: (line) => out.push(line),
    err: (line) => err.push(line),
    env,
    cwd,
    signal: new AbortController().signal,
  })
  return { code, out, err }
}

/** A TCP relay in front of moto that counts the bytes moto sends back: what S3 really transferred. */
async function startCountingRelay(
  target: string,
): Promise<{ url: string; received: () => number; close(): Promise<void> }> {
  const { hostname, port } = new URL(target)
  let received = 0
  const server: Server = createServer((client) => {
    const upstream = connect(Number(port), hostname)
    upstream.on('data', (chunk: Buffer) => {
      received += chunk.byteLength
    })
    client.pipe(upstream).pipe(client)
    client.on('error', () => upstream.destroy())
    upstream.on('error', () => client.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as { port: number }
  return {
    url: `http://127.0.0.1:${address.port}`,
    received: () => received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

describe('ferry inspect, validate, process and find on S3 and GCS', () => {
  let world: FerryWorld
  let files: SampleFile[]
  let largest: SampleFile
  let invalid: SampleFile
  let corrupt: SampleFile
  const url = (file: SampleFile) => `s3://${world.landing}/${file.key}`
  const ferry = (command: Command, argv: string[], env = world.env) => run(command, argv, env, world.home)

  beforeAll(async () => {
    world = await createWorld(endpoints)
    files = generateSampleNight({ date: '2026-02-17', files: 6 }).files
    for (const file of files) {
      await world.s3.send(new PutObjectCommand({ Bucket: world.landing, Key: file.key, Body: file.bytes }))
    }
    const clean = files.filter((f) => !f.expect.corrupt && f.expect.invalidRows === 0)
    largest = clean.reduce((a, b) => (b.expect.rows > a.expect.rows ? b : a))
    invalid = files.find((f) => f.expect.invalidRows > 0)!
    corrupt = files.find((f) => f.expect.corrupt)!
  })

  it('inspect reads only the footer of an s3:// Parquet object', async () => {
    const relay = await startCountingRelay(endpoints.aws)
    try {
      const result = await ferry(inspectCommand, [url(largest), '--json'], {
        ...world.env,
        AWS_ENDPOINT_URL: relay.url,
      })
      expect(result.code).toBe(Exit.OK)
      const inspection = JSON.parse(result.out.join('\n'))
      expect(inspection).toMatchObject({ format: 'parquet', size: largest.bytes.length })
      expect(inspection.parquet.rows).toBe(largest.expect.rows)
      expect(inspection.parquet.rowGroups).toHaveLength(4)
      expect(inspection.parquet.statistics.find((s: { column: string }) => s.column === 'order_id')).toMatchObject({
        nullCount: 0,
        min: expect.stringMatching(/^ORD-\d{8}$/),
      })
      // what the command counted, and what S3 actually sent (headers of four responses included)
      expect(inspection.bytesFetched).toBe(4 + inspection.parquet.footerBytes)
      expect(relay.received()).toBeGreaterThan(inspection.bytesFetched)
      expect(relay.received()).toBeLessThan(largest.bytes.length / 10)
    } finally {
      await relay.close()
    }
  })

  it('inspect prints a readable report and fails a truncated object with FormatError', async () => {
    const { out } = await ferry(inspectCommand, [url(largest)])
    expect(out[0]).toBe(url(largest))
    expect(out).toContain('statistics (footer; all row groups)')
    await expect(ferry(inspectCommand, [url(corrupt)])).rejects.toBeInstanceOf(FormatError)
  })

  it('validate exits 0 for a clean object, 1 with invalid rows, 2 when it cannot be read', async () => {
    const clean = await ferry(validateCommand, [url(largest)])
    expect(clean.code).toBe(Exit.OK)
    expect(clean.out[1]).toBe(`rows=${largest.expect.rows} valid=${largest.expect.rows} invalid=0`)

    const bad = await ferry(validateCommand, [url(invalid), '--json'])
    expect(bad.code).toBe(Exit.DATA)
    const { rows, invalidRows } = invalid.expect
    expect(JSON.parse(bad.out.join('\n'))).toMatchObject({ rows, invalid: invalidRows, valid: rows - invalidRows })

    const unreadable = await ferry(validateCommand, [url(corrupt)])
    expect(unreadable.code).toBe(Exit.ERROR)
    expect(unreadable.out[0]).toMatch(/is unreadable \[FERRY_FORMAT\]: truncated Parquet file/)
  })

  it('process runs the engine on an s3:// object and writes output and quarantine to gs://', async () => {
    const result = await ferry(processCommand, [url(invalid), '--out', `gs://${world.lake}/repro`, '--json'])
    expect(result.code).toBe(Exit.DATA)
    const report = JSON.parse(result.out.join('\n'))
    const { rows, invalidRows } = invalid.expect
    expect(report).toMatchObject({ rowsIn: rows, rowsOut: rows - invalidRows, rowsRejected: invalidRows })
    expect(report.output).toMatch(new RegExp(`^gs://${world.lake}/repro/orders/date=\\d{4}-\\d{2}-\\d{2}/orders-0001-`))
    expect(report.quarantine).toMatch(new RegExp(`^gs://${world.lake}/repro/quarantine/orders/`))

    // the output is real Parquet on GCS: inspect reads it back by its footer
    const inspected = await ferry(inspectCommand, [report.output, '--json'])
    expect(JSON.parse(inspected.out.join('\n')).parquet.rows).toBe(rows - invalidRows)

    const failed = await ferry(processCommand, [url(corrupt), '--out', `gs://${world.lake}/repro`])
    expect(failed.code).toBe(Exit.ERROR)
    expect(failed.out[0]).toMatch(/cannot be processed \[FERRY_FORMAT\]/)
  })

  it('cat prints the rows the worker reads, as NDJSON or column = value blocks, in the worker thread', async () => {
    const json = await ferry(catCommand, [url(invalid), '--json', '--limit', '3'])
    expect(json.code).toBe(Exit.OK)
    expect(json.out).toHaveLength(3)
    const rows = json.out.map((line) => JSON.parse(line) as Record<string, unknown>)
    for (const row of rows) {
      expect(row.order_id).toEqual(expect.any(String))
      expect(row.ordered_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/)
    }
    const picked = await ferry(catCommand, [url(largest), '--json', '--columns', 'amount,order_id'])
    expect(picked.out).toHaveLength(largest.expect.rows)
    expect(Object.keys(JSON.parse(picked.out[0]!))).toEqual(['amount', 'order_id'])
    const text = await ferry(catCommand, [url(largest), '--limit', '1', '--columns', 'order_id,quantity'])
    expect(text.out).toEqual([
      expect.stringMatching(/^order_id = ORD-\d{8}$/),
      expect.stringMatching(/^quantity = \d+$/),
      '',
    ])
    await expect(ferry(catCommand, [url(corrupt)])).rejects.toBeInstanceOf(FormatError)
  })

  it('find lists s3:// and gs:// objects filtered by size and modification time', async () => {
    const prefix = `s3://${world.landing}/orders/`
    const all = await ferry(findCommand, [prefix])
    expect(all.code).toBe(Exit.OK)
    expect(all.out.at(-1)).toMatch(new RegExp(`^${files.length} objects, .* total \\(${files.length} listed\\)$`))

    const big = await ferry(findCommand, [prefix, '--larger-than', '100KB', '--json'])
    const bigUrls = JSON.parse(big.out.join('\n')).objects.map((o: { url: string }) => o.url)
    expect(bigUrls).toEqual(files.filter((f) => f.bytes.length > 100_000).map(url))

    const small = await ferry(findCommand, [prefix, '--smaller-than', '5KiB', '--json'])
    expect(JSON.parse(small.out.join('\n')).objects.map((o: { url: string }) => o.url)).toEqual(
      files.filter((f) => f.bytes.length < 5 * 1024).map(url),
    )

    const future = await ferry(findCommand, [prefix, '--modified-after', '2999-01-01'])
    expect(future.out).toEqual([`0 objects, 0 B total (${files.length} listed)`])
    const past = await ferry(findCommand, [prefix, '--modified-after', '2000-01-01', '--modified-before', '2999-01-01'])
    expect(past.out.at(-1)).toMatch(new RegExp(`^${files.length} objects`))

    // the outputs the process test above wrote
    const outputs = await ferry(findCommand, [`gs://${world.lake}/repro/`, '--json'])
    const found = JSON.parse(outputs.out.join('\n')).objects.map((o: { url: string }) => o.url)
    expect(found.some((u: string) => u.endsWith('.parquet'))).toBe(true)
    expect(found.some((u: string) => u.endsWith('.ndjson'))).toBe(true)
  })
})
