/**
 * A whole night through the full local topology, with one and with two workers.
 *
 *   npm run bench:night     (= npm run build && node dist/bench/night.js)
 *   FERRY_BENCH_FILES=20 FERRY_BENCH_ROWS=20000 npm run bench:night     (smaller)
 *
 * Generates FERRY_BENCH_FILES (default 100) orders Parquet files of FERRY_BENCH_ROWS rows (default
 * 100,000; 0.5% defective rows) once, deterministically, under .bench-cache/night/. Then, for 1 and
 * for 2 workers, on a fresh FERRY_HOME (local buckets, local queue, local JSONL bus):
 *   - a standalone broker in its own process (`ferry broker --port 0 --data-dir ...`), which every
 *     command reaches through FERRY_KAFKA_BROKERS, so no command runs the in-process broker;
 *   - `ferry drain`, then N `ferry work --until-idle` at once (group ferry-work, 4 partitions), then
 *     `ferry quality --until-idle`, each a child process of the built bin, as cron would run them.
 * Night wall time runs from the drain's start to the quality consumer's exit, so it includes each
 * `--until-idle` wait (FERRY_IDLE_MS, set to 1000 here). Peak RSS and CPU time are what every child
 * reports about itself on exit (`process.resourceUsage()`, through a `--import` hook), with
 * /proc/<pid>/status VmHWM sampled as a fallback.
 * The night is checked before any figure is printed (exit 1 otherwise): one result per file, each
 * written with rows in = out + rejected and exactly the defective rows rejected, every output
 * present with rowsOut rows in its footer, and one passing quality event per file.
 * The last line is machine-readable:
 * `night_s_1w=A night_s_2w=B speedup=C rows_per_s_2w=D peak_rss_mb=E` (E: the largest worker peak).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import {
  copyFileSync,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { KafkaAdmin } from '../src/adapters/kafka/admin.js'
import { LocalNotificationQueue } from '../src/adapters/local/notification-queue.js'
import { LocalObjectStore } from '../src/adapters/local/object-store.js'
import { parquetMetadata, writeParquet } from '../src/core/formats/parquet.js'
import type { FileResult, QualityEvent } from '../src/core/messages.js'
import { ORDER_INPUT_COLUMNS, orderRows, seededRandom, spoilRows } from '../src/core/sample-orders.js'
import { createLogger } from '../src/ops/logger.js'
import { objectCreatedBody } from '../src/producers/object-created.js'

const REPO = fileURLToPath(new URL('../../', import.meta.url))
const FERRY_BIN = join(REPO, 'bin', 'ferry.js')
/** bump when the generated data changes, so stale cache files are not reused */
const DATA_VERSION = 1
const DEFECT_RATE = 0.005
const ROW_GROUP_ROWS = 50_000
const DATE = '2026-11-23'
const NIGHT = Date.UTC(2026, 10, 23)
const SLOT_MS = 15 * 60_000
const IDLE_MS = 1000
const PARTITIONS = 4
const LANDING = 'landing'

interface Input {
  key: string
  path: string
  rows: number
  defective: number
}

interface Usage {
  peakRssKb: number
  cpuSeconds: number | undefined
  /** 'self' when the child reported resourceUsage(), 'vmhwm' when only the /proc sample is known */
  source: 'self' | 'vmhwm'
}

interface ChildRun {
  code: number | null
  stdout: string
  stderr: string
  seconds: number
  usage: Usage
}

interface NightRun {
  workers: number
  nightSeconds: number
  phases: { drain: number; work: number; quality: number }
  workerRuns: ChildRun[]
  drainRun: ChildRun
  qualityRun: ChildRun
  brokerUsage: Usage
  filesPerWorker: number[]
  resultRecords: number
}

function intEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name]
  if (raw === undefined || raw === '') return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new Error(`${name} must be an integer >= ${min}, got ${raw}`)
  return Number(raw)
}

/** File `index` (1-based) depends only on its index and the row count, so smaller runs reuse the cache. */
function generate(index: number, rows: number, dir: string): Input {
  const name = `orders-${String(index).padStart(4, '0')}.parquet`
  const path = join(dir, name)
  const defective = Math.round(rows * DEFECT_RATE)
  const input = { key: `orders/${DATE}/${name}`, path, rows, defective }
  if (existsSync(path)) return input
  const random = seededRandom(20261123 + index)
  const from = NIGHT + ((index - 1) % 96) * SLOT_MS
  const data = orderRows(random, {
    count: rows,
    from,
    to: from + SLOT_MS,
    firstOrderNumber: 10_000_000 + ((index * rows) % 80_000_000),
  })
  spoilRows(random, data, defective)
  const partial = `${path}.partial`
  writeFileSync(partial, writeParquet(ORDER_INPUT_COLUMNS, data, { rowGroupSize: ROW_GROUP_ROWS }))
  renameSync(partial, path)
  return input
}

/** Written into each run's home and loaded with `node --import`: the child reports its own peak RSS and CPU. */
const USAGE_HOOK = `import { writeFileSync } from 'node:fs'
process.on('exit', () => {
  const u = process.resourceUsage()
  writeFileSync(process.env.FERRY_BENCH_USAGE_FILE, JSON.stringify({ maxRssKb: u.maxRSS, cpuUs: u.userCPUTime + u.systemCPUTime }))
})
`

function vmHwmKb(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) : 0
  } catch {
    return 0
  }
}

interface Spawned {
  child: ChildProcess
  done: Promise<ChildRun>
  output: () => string
}

let usageFiles = 0

function spawnFerry(args: string[], home: string, env: NodeJS.ProcessEnv): Spawned {
  const usageFile = join(home, 'usage', `${usageFiles++}-${args[0]}.json`)
  mkdirSync(dirname(usageFile), { recursive: true })
  const started = performance.now()
  const child = spawn(
    process.execPath,
    ['--import', pathToFileURL(join(home, 'usage-hook.mjs')).href, FERRY_BIN, ...args],
    {
      cwd: home,
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env, FERRY_BENCH_USAGE_FILE: usageFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  children.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString()
  })
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString()
  })
  let sampled = 0
  const sampler = setInterval(() => {
    if (child.pid !== undefined) sampled = Math.max(sampled, vmHwmKb(child.pid))
  }, 250)
  const done = new Promise<ChildRun>((resolve) => {
    child.on('close', (code) => {
      clearInterval(sampler)
      children.delete(child)
      writeFileSync(usageFile.replace(/\.json$/, '.log'), `${stdout}${stderr}`)
      const seconds = (performance.now() - started) / 1000
      let usage: Usage = { peakRssKb: sampled, cpuSeconds: undefined, source: 'vmhwm' }
      if (existsSync(usageFile)) {
        const reported = JSON.parse(readFileSync(usageFile, 'utf8')) as { maxRssKb: number; cpuUs: number }
        usage = { peakRssKb: reported.maxRssKb, cpuSeconds: reported.cpuUs / 1e6, source: 'self' }
      }
      resolve({ code, stdout, stderr, seconds, usage })
    })
  })
  return { child, done, output: () => `${stdout}${stderr}` }
}

/** Every child still running, so a failure or Ctrl-C leaves none behind. */
const children = new Set<ChildProcess>()

function killChildren(): void {
  for (const child of children) child.kill('SIGKILL')
}

async function expectExit(run: Promise<ChildRun>, what: string, codes: number[] = [0]): Promise<ChildRun> {
  const result = await run
  if (result.code === null || !codes.includes(result.code)) {
    throw new Error(`${what} exited ${result.code}:\n${result.stdout}\n${result.stderr.slice(-4000)}`)
  }
  return result
}

async function startBroker(home: string): Promise<{ address: string; stop: () => Promise<Usage> }> {
  const broker = spawnFerry(['broker', '--port', '0', '--data-dir', join(home, 'kafka')], home, {
    FERRY_LOG_LEVEL: 'warn',
  })
  const deadline = Date.now() + 30_000
  let address: string | undefined
  while (address === undefined) {
    address = /ferry broker listening on (\S+)/.exec(broker.output())?.[1]
    if (broker.child.exitCode !== null) throw new Error(`ferry broker exited:\n${broker.output()}`)
    if (Date.now() > deadline) throw new Error(`ferry broker did not start:\n${broker.output()}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return {
    address,
    stop: async () => {
      broker.child.kill('SIGTERM')
      const timer = setTimeout(() => broker.child.kill('SIGKILL'), 15_000)
      const run = await broker.done
      clearTimeout(timer)
      return run.usage
    },
  }
}

/** Places the inputs in the landing bucket (hard links: no copy) and announces each on the local queue. */
async function stage(home: string, inputs: Input[]): Promise<void> {
  const store = new LocalObjectStore({ root: join(home, 'buckets') })
  const queue = new LocalNotificationQueue(join(home, 'queue'))
  for (const input of inputs) {
    const target = join(home, 'buckets', LANDING, input.key)
    mkdirSync(dirname(target), { recursive: true })
    try {
      linkSync(input.path, target)
    } catch {
      copyFileSync(input.path, target) // another file system: copy
    }
    const info = await store.head(LANDING, input.key)
    if (!info) throw new Error(`staged ${input.key} is missing`)
    await queue.send(objectCreatedBody(info, new Date(`${DATE}T23:30:00Z`)))
  }
}

async function night(workers: number, inputs: Input[]): Promise<NightRun> {
  const home = mkdtempSync(join(tmpdir(), `ferry-bench-night-${workers}w-`))
  try {
    writeFileSync(join(home, 'usage-hook.mjs'), USAGE_HOOK)
    await stage(home, inputs)
    const broker = await startBroker(home)
    let brokerUsage: Usage | undefined
    try {
      const env = {
        FERRY_HOME: home,
        FERRY_KAFKA_BROKERS: broker.address,
        FERRY_KAFKA_PARTITIONS: String(PARTITIONS),
        FERRY_IDLE_MS: String(IDLE_MS),
        FERRY_LOG_LEVEL: 'info',
        FERRY_LOG_FORMAT: 'json',
      }
      const t0 = performance.now()
      const drain = await expectExit(
        spawnFerry(['drain', '--wait-seconds', '0', '--empty-receives', '1'], home, env).done,
        'ferry drain',
      )
      if (!drain.stdout.includes(`objects=${inputs.length} `)) throw new Error(`drain: ${drain.stdout}`)
      const t1 = performance.now()
      const workerRuns = await Promise.all(
        Array.from({ length: workers }, (_, i) =>
          expectExit(spawnFerry(['work', '--until-idle'], home, env).done, `ferry work #${i + 1}`),
        ),
      )
      const t2 = performance.now()
      // exit 1 = a file failed quality: still checked below, where the report says which
      const quality = await expectExit(spawnFerry(['quality', '--until-idle'], home, env).done, 'ferry quality', [0, 1])
      const t3 = performance.now()
      const resultRecords = await verify(home, broker.address, inputs, quality.stdout)
      brokerUsage = await broker.stop()
      return {
        workers,
        nightSeconds: (t3 - t0) / 1000,
        phases: { drain: (t1 - t0) / 1000, work: (t2 - t1) / 1000, quality: (t3 - t2) / 1000 },
        workerRuns,
        drainRun: drain,
        qualityRun: quality,
        brokerUsage,
        filesPerWorker: workerRuns.map((run) => run.stderr.split('"msg":"file processed"').length - 1),
        resultRecords,
      }
    } finally {
      if (brokerUsage === undefined) await broker.stop()
    }
  } finally {
    if (process.env.FERRY_BENCH_KEEP === '1') console.log(`kept ${home}`)
    else rmSync(home, { recursive: true, force: true })
  }
}

/** Throws unless the night is whole and consistent; returns how many ferry.results records there were. */
async function verify(home: string, brokers: string, inputs: Input[], qualityOut: string): Promise<number> {
  const problems: string[] = []
  const admin = new KafkaAdmin({ brokers: [brokers], clientId: 'ferry-bench', logger: createLogger({ level: 'warn' }) })
  const results = new Map<string, FileResult>()
  let records = 0
  try {
    await admin.readTopic('ferry.results', (record) => {
      records++
      const result = JSON.parse(record.value.toString('utf8')) as FileResult
      // A redelivery after a rebalance publishes the recorded result again: the latest one counts.
      results.set(`${result.source.bucket}/${result.source.key}`, result)
    })
  } finally {
    await admin.close()
  }
  if (results.size !== inputs.length) problems.push(`${results.size} distinct results for ${inputs.length} files`)
  for (const input of inputs) {
    const result = results.get(`${LANDING}/${input.key}`)
    if (!result) {
      problems.push(`${input.key}: no result`)
      continue
    }
    const { status, rowsIn, rowsOut, rowsRejected, output } = result
    if (status !== 'written') problems.push(`${input.key}: status ${status} (${result.error?.message ?? ''})`)
    if (rowsIn !== rowsOut + rowsRejected)
      problems.push(`${input.key}: in ${rowsIn} != out ${rowsOut} + rejected ${rowsRejected}`)
    if (rowsIn !== input.rows || rowsRejected !== input.defective) {
      problems.push(
        `${input.key}: ${rowsIn} in / ${rowsRejected} rejected, expected ${input.rows} / ${input.defective}`,
      )
    }
    if (!output || !existsSync(output)) problems.push(`${input.key}: output ${output} missing`)
    else {
      const footerRows = parquetMetadata(readFileSync(output)).rows
      if (footerRows !== rowsOut) problems.push(`${input.key}: output holds ${footerRows} rows, result says ${rowsOut}`)
    }
  }
  const events = readFileSync(join(home, 'events', 'ferry-quality.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    // one JSON line per message, its payload base64 in `data` (src/adapters/local/event-bus.ts)
    .map(
      (line) =>
        JSON.parse(Buffer.from((JSON.parse(line) as { data: string }).data, 'base64').toString()) as QualityEvent,
    )
    .filter((event) => event.scope === 'file')
  const verdicts = new Map(events.map((e) => [e.source.key, e.status]))
  if (verdicts.size !== inputs.length) problems.push(`${verdicts.size} quality verdicts for ${inputs.length} files`)
  const failing = [...verdicts].filter(([, status]) => status !== 'pass')
  if (failing.length) problems.push(`quality failed for ${failing.map(([key]) => key).join(', ')}`)
  if (!qualityOut.includes(`quality_pass=${inputs.length} quality_fail=0`))
    problems.push(`quality: ${qualityOut.trim()}`)
  if (problems.length) throw new Error(`the night is not consistent:\n  ${problems.slice(0, 20).join('\n  ')}`)
  return records
}

const mb = (kb: number) => Math.round(kb / 1024)

function usageText(usage: Usage): string {
  const cpu = usage.cpuSeconds === undefined ? '' : `cpu ${usage.cpuSeconds.toFixed(1)} s, `
  return `${cpu}peak RSS ${mb(usage.peakRssKb)} MB${usage.source === 'vmhwm' ? ' (VmHWM sample)' : ''}`
}

function describe(run: NightRun, rows: number): string {
  const rate = Math.round(rows / run.nightSeconds).toLocaleString('en-US')
  const { drain, work, quality } = run.phases
  return [
    `${run.workers} worker(s): night ${run.nightSeconds.toFixed(1)} s (drain ${drain.toFixed(1)} s, work ${work.toFixed(1)} s, ` +
      `quality ${quality.toFixed(1)} s) -> ${rate} rows/s; ${run.resultRecords} ferry.results records`,
    ...run.workerRuns.map(
      (w, i) =>
        `    work #${i + 1}: ${run.filesPerWorker[i]} files, ${w.seconds.toFixed(1)} s wall, ${usageText(w.usage)}`,
    ),
    `    drain: ${run.drainRun.seconds.toFixed(1)} s wall, ${usageText(run.drainRun.usage)}`,
    `    quality: ${run.qualityRun.seconds.toFixed(1)} s wall, ${usageText(run.qualityRun.usage)}`,
    `    broker: ${usageText(run.brokerUsage)}`,
  ].join('\n')
}

async function main(): Promise<void> {
  const files = intEnv('FERRY_BENCH_FILES', 100, 1)
  const rows = intEnv('FERRY_BENCH_ROWS', 100_000, 200)
  // order ids are ORD-<8 digits>, unique within a file
  if (rows > 10_000_000) throw new Error('FERRY_BENCH_ROWS must be at most 10000000')
  const cache = join(REPO, '.bench-cache', 'night', `v${DATA_VERSION}-${rows}rows`)
  mkdirSync(cache, { recursive: true })
  const generated = performance.now()
  const inputs = Array.from({ length: files }, (_, i) => generate(i + 1, rows, cache))
  const total = files * rows
  console.log(
    `ferry night bench: ${files} files x ${rows} rows = ${total.toLocaleString('en-US')} orders rows (${DEFECT_RATE * 100}% defective), ` +
      `inputs ready in ${((performance.now() - generated) / 1000).toFixed(1)} s (${cache}); standalone ferry broker, ` +
      `${PARTITIONS} partitions, FERRY_IDLE_MS=${IDLE_MS}, ${cpus().length} CPUs (shared with whatever else runs)`,
  )
  const one = await night(1, inputs)
  console.log(describe(one, total))
  const two = await night(2, inputs)
  console.log(describe(two, total))
  const speedup = one.nightSeconds / two.nightSeconds
  const peak = Math.max(...[...one.workerRuns, ...two.workerRuns].map((w) => w.usage.peakRssKb))
  console.log(
    `work phase speed-up ${(one.phases.work / two.phases.work).toFixed(2)}x; night speed-up ${speedup.toFixed(2)}x`,
  )
  console.log(
    `night_s_1w=${one.nightSeconds.toFixed(1)} night_s_2w=${two.nightSeconds.toFixed(1)} speedup=${speedup.toFixed(2)} ` +
      `rows_per_s_2w=${Math.round(total / two.nightSeconds)} peak_rss_mb=${mb(peak)}`,
  )
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killChildren()
    process.exit(2)
  })
}
try {
  await main()
} catch (err) {
  killChildren()
  console.error(err instanceof Error ? err.message : err)
  process.exitCode = 1
}
