/**
 * End-to-end engine throughput and memory on orders-shaped files, against DuckDB in the same run.
 *
 *   npm run bench          (= npm run build && node dist/bench/engine.js)
 *
 * Generates a 1M-row and a 3M-row orders file once (100k-row row groups, 0.2% defective rows) under
 * .bench-cache/, then measures, each in its own child process pinned to one core (`taskset -c 0`
 * when available) and started with --max-old-space-size=256, for SNAPPY and for ZSTD output:
 *   - the engine, local file in, local file out (best of 3 runs for 1M, one run for 3M);
 *   - the same through the worker pool that enforces the per-file timeout, to price the watchdog
 *     (SNAPPY only: the codec does not change what the pool adds);
 *   - DuckDB (threads=1), `COPY (SELECT ...the orders transform in SQL...) TO '...parquet'` with the
 *     same compression;
 *   - the candidate writers alone on 200k output rows: Ferry's encoder (both codecs), hyparquet-writer,
 *     DuckDB.
 * Peak RSS is each child's `process.resourceUsage().maxRSS`. The last line is machine-readable:
 * `engine_rows_per_s=N duckdb_rows_per_s=M slowdown_vs_duckdb=R peak_rss_mb_1m=A peak_rss_mb_3m=B` for
 * SNAPPY, then `zstd_rows_per_s=… duckdb_zstd_rows_per_s=… zstd_slowdown_vs_duckdb=… zstd_peak_rss_mb_1m=…
 * zstd_peak_rss_mb_3m=… zstd_output_mb=… snappy_output_mb=…` (output sizes of the 1M file), and the
 * slowdowns in CPU time, `slowdown_vs_duckdb_cpu=… zstd_slowdown_vs_duckdb_cpu=…`.
 */
import { execFileSync, spawn } from 'node:child_process'
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import {
  BIGINT,
  DATE,
  DOUBLE,
  DuckDBDataChunk,
  DuckDBDateValue,
  DuckDBInstance,
  DuckDBTimestampMillisecondsValue,
  type DuckDBValue,
  INTEGER,
  TIMESTAMP_MS,
  VARCHAR,
} from '@duckdb/node-api'
import type { SchemaElement } from 'hyparquet'
import { parquetWriteBuffer } from 'hyparquet-writer'
import { datasetFromSpec } from '../src/core/dataset-spec.js'
import { EnginePool } from '../src/core/engine/pool.js'
import { openFileReader, openFileSink } from '../src/core/engine/sources.js'
import { processSource } from '../src/core/engine.js'
import { ParquetEncoder } from '../src/core/formats/parquet/encode/file.js'
import { ParquetStreamWriter, type WriteCodec } from '../src/core/formats/parquet.js'
import { ORDER_INPUT_COLUMNS, orderRows, seededRandom, spoilRows } from '../src/core/sample-orders.js'
import { exampleDatasets } from '../src/project/example.js'

const ordersSpec = exampleDatasets().find((d) => d.name === 'orders')!
const orders = datasetFromSpec(ordersSpec)
const ORDER_OUTPUT_COLUMNS = orders.outputColumns
const transformOrder = orders.transform

const CACHE = resolve('.bench-cache')
/** bump when the generated data changes, so stale cache files are not reused */
const DATA_VERSION = 1
const CHUNK_ROWS = 100_000
const DEFECT_RATE = 0.002
const HEAP_MB = 256
const NIGHT = Date.UTC(2026, 10, 23)

interface Measurement {
  rows: number
  /** best wall time over the runs */
  seconds: number
  /** the first run's, JIT warm-up included */
  firstSeconds: number
  /** CPU time (user + system, all threads) of the fastest run: less sensitive to a busy machine */
  cpuSeconds: number
  peakRssMb: number
  outputBytes: number
  rowsOut?: number
  durationsMs?: Record<string, number>
}

function inputPath(rows: number): string {
  return join(CACHE, `orders-${rows / 1_000_000}m-v${DATA_VERSION}.parquet`)
}

/** Writes `rows` orders in CHUNK_ROWS row groups, streaming, so generation fits the same memory. */
async function generate(rows: number): Promise<string> {
  const path = inputPath(rows)
  if (existsSync(path)) return path
  mkdirSync(CACHE, { recursive: true })
  const partial = `${path}.partial`
  const sink = await openFileSink(partial)
  // SNAPPY inputs, as exporters mostly write them and as the cached files always were (not the output default)
  const writer = new ParquetStreamWriter(ORDER_INPUT_COLUMNS, sink, { codec: 'SNAPPY' })
  const random = seededRandom(20261123)
  const started = performance.now()
  for (let first = 0; first < rows; first += CHUNK_ROWS) {
    const count = Math.min(CHUNK_ROWS, rows - first)
    const chunk = orderRows(random, {
      count,
      from: NIGHT + Math.floor((first / rows) * 86_400_000),
      to: NIGHT + Math.floor(((first + count) / rows) * 86_400_000),
      firstOrderNumber: 10_000_000 + first,
    })
    spoilRows(random, chunk, Math.round(count * DEFECT_RATE))
    await writer.write(
      ORDER_INPUT_COLUMNS.map(({ name }) => chunk.map((row) => row[name])),
      count,
    )
  }
  await writer.finish()
  await sink.close()
  renameSync(partial, path)
  console.log(`generated ${path} (${rows} rows) in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  return path
}

// ---------------------------------------------------------------------------------------------
// children: one measurement each, result as a JSON line on stdout

/** The output codecs measured; the SNAPPY runs keep the figures comparable with earlier runs. */
const CODECS = ['SNAPPY', 'ZSTD'] as const satisfies readonly WriteCodec[]
type BenchCodec = (typeof CODECS)[number]

async function engineOnce(input: string, output: string, pool: EnginePool | undefined, codec: BenchCodec) {
  const reader = await openFileReader(input)
  const sinks = { output: await openFileSink(output), quarantine: await openFileSink(`${output}.rejected.ndjson`) }
  const started = performance.now()
  const cpu = process.cpuUsage()
  const report = pool
    ? await pool.run(reader, orders.name, sinks, { codec })
    : await processSource(reader, orders, sinks, { codec })
  const seconds = (performance.now() - started) / 1000
  const { user, system } = process.cpuUsage(cpu)
  await Promise.all([reader.close(), sinks.output.close(), sinks.quarantine.close()])
  return { report, seconds, cpuSeconds: (user + system) / 1e6 }
}

async function engineChild(
  mode: 'engine' | 'pool',
  input: string,
  output: string,
  runs: number,
  codec: BenchCodec,
): Promise<Measurement> {
  const pool = mode === 'pool' ? new EnginePool({ datasets: [ordersSpec], size: 1, timeoutMs: 600_000 }) : undefined
  const results: Array<Awaited<ReturnType<typeof engineOnce>>> = []
  for (let run = 0; run < runs; run++) results.push(await engineOnce(input, output, pool, codec))
  await pool?.close()
  const best = results.reduce((a, b) => (b.seconds < a.seconds ? b : a))
  const { report } = best
  return {
    rows: report.rowsIn,
    seconds: best.seconds,
    firstSeconds: results[0]!.seconds,
    cpuSeconds: best.cpuSeconds,
    // the pool's worker shares this process, so its memory counts here too
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    outputBytes: report.bytesOut,
    rowsOut: report.rowsOut,
    durationsMs: report.durationsMs,
  }
}

/**
 * The orders transform in DuckDB SQL: what the engine's column steps do, without the schema checks (so
 * TRY_CAST: the defective rows the engine quarantines would otherwise stop the COPY).
 */
function duckdbCopy(input: string, output: string, codec: BenchCodec): string {
  return `COPY (
    SELECT order_id, customer_id,
      ordered_at,
      CAST(timezone('UTC', ordered_at) AS DATE) AS order_date,
      TRY_CAST(shipped_at AS TIMESTAMPTZ) AS shipped_at,
      amount,
      CAST(round(amount * 100) AS BIGINT) AS amount_cents,
      currency, upper(country) AS country, quantity,
      nullif(trim(note), '') AS note
    FROM read_parquet('${input}')
  ) TO '${output}' (FORMAT parquet, COMPRESSION ${codec.toLowerCase()})`
}

async function duckdbChild(input: string, output: string, runs: number, codec: BenchCodec): Promise<Measurement> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' })
  const connection = await instance.connect()
  const times: number[] = []
  const cpus: number[] = []
  for (let run = 0; run < runs; run++) {
    const started = performance.now()
    const cpu = process.cpuUsage()
    await connection.run(duckdbCopy(input, output, codec))
    times.push((performance.now() - started) / 1000)
    const { user, system } = process.cpuUsage(cpu)
    cpus.push((user + system) / 1e6)
  }
  const count = await connection.runAndReadAll(`SELECT count(*) FROM read_parquet('${input}')`)
  connection.closeSync()
  instance.closeSync()
  return {
    rows: Number(count.getRows()[0]![0]),
    seconds: Math.min(...times),
    firstSeconds: times[0]!,
    cpuSeconds: cpus[times.indexOf(Math.min(...times))]!,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    outputBytes: statSync(output).size,
  }
}

/** Rows encoded per writer in the writer comparison. */
const WRITER_ROWS = 200_000

interface WritersResult {
  rowsPerSecond: Record<string, number>
  /** the encoded file's size, Ferry's encoder only */
  bytes: Record<string, number>
}

/** The orders output as the engine hands it to a writer: Dates for ordered_at, text for shipped_at. */
function outputColumns(): Record<string, unknown[]> {
  const rows = orderRows(seededRandom(1), {
    count: WRITER_ROWS,
    from: NIGHT,
    to: NIGHT + 86_400_000,
    firstOrderNumber: 1,
  })
  const out = rows.map((row) => transformOrder(row))
  const columns = Object.fromEntries(ORDER_OUTPUT_COLUMNS.map(({ name }) => [name, out.map((row) => row[name])]))
  columns.ordered_at = columns.ordered_at!.map((text) => new Date(text as string))
  return columns
}

function best(runs: number, work: () => unknown): number {
  const times: number[] = []
  for (let run = 0; run < runs; run++) {
    const started = performance.now()
    work()
    times.push((performance.now() - started) / 1000)
  }
  return Math.min(...times)
}

/**
 * Encodes the same 200k output rows with each candidate writer: Ferry's encoder (what the engine
 * uses), hyparquet-writer, and DuckDB (rows appended from JavaScript, then COPY TO parquet). DuckDB
 * holds every row in its table until the COPY, so its memory grows with the file.
 */
async function writersChild(): Promise<WritersResult> {
  const columns = outputColumns()
  const values = ORDER_OUTPUT_COLUMNS.map(({ name }) => columns[name]!)
  const ferryWith = (codec: BenchCodec) => () => {
    const encoder = new ParquetEncoder(ORDER_OUTPUT_COLUMNS, { codec })
    let bytes = encoder.start().length
    for (let start = 0; start < WRITER_ROWS; start += 4096) {
      const count = Math.min(4096, WRITER_ROWS - start)
      encoder.append(
        values.map((column) => column.slice(start, start + count)),
        count,
      )
      if (encoder.pendingRows >= 100_000) bytes += encoder.flushRowGroup().length
    }
    return bytes + encoder.finish().length
  }
  const ferry = best(3, ferryWith('SNAPPY'))
  const ferryZstd = best(3, ferryWith('ZSTD'))
  const bytes = { 'ferry snappy': ferryWith('SNAPPY')(), 'ferry zstd': ferryWith('ZSTD')() }
  const schema: SchemaElement[] = [
    { name: 'root', num_children: ORDER_OUTPUT_COLUMNS.length },
    ...ORDER_OUTPUT_COLUMNS.map((column): SchemaElement => ({ name: column.name, ...HYPARQUET_TYPES[column.type] })),
  ]
  const dates = (columns.order_date as string[]).map((text) => new Date(text))
  const shipped = (columns.shipped_at as Array<string | null>).map((text) => (text === null ? null : new Date(text)))
  const cents = (columns.amount_cents as number[]).map(BigInt)
  const hyparquet = best(3, () =>
    parquetWriteBuffer({
      schema,
      rowGroupSize: 100_000,
      columnData: ORDER_OUTPUT_COLUMNS.map(({ name }) => ({
        name,
        data:
          name === 'order_date'
            ? dates
            : name === 'shipped_at'
              ? shipped
              : name === 'amount_cents'
                ? cents
                : columns[name]!,
      })),
    }),
  )
  const duckdb = await duckdbWriter(columns)
  return {
    rowsPerSecond: {
      'ferry snappy': WRITER_ROWS / ferry,
      'ferry zstd': WRITER_ROWS / ferryZstd,
      hyparquet: WRITER_ROWS / hyparquet,
      duckdb: WRITER_ROWS / duckdb,
    },
    bytes,
  }
}

const HYPARQUET_TYPES: Record<string, Omit<SchemaElement, 'name'>> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
  timestamp: { type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', repetition_type: 'OPTIONAL' },
  date: { type: 'INT32', converted_type: 'DATE', repetition_type: 'OPTIONAL' },
  double: { type: 'DOUBLE', repetition_type: 'OPTIONAL' },
  int64: { type: 'INT64', repetition_type: 'OPTIONAL' },
  int32: { type: 'INT32', repetition_type: 'OPTIONAL' },
}

async function duckdbWriter(columns: Record<string, unknown[]>): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '1' })
  const connection = await instance.connect()
  const started = performance.now()
  await connection.run(`CREATE TABLE orders (order_id VARCHAR, customer_id VARCHAR, ordered_at TIMESTAMP_MS,
    order_date DATE, shipped_at TIMESTAMP_MS, amount DOUBLE, amount_cents BIGINT, currency VARCHAR,
    country VARCHAR, quantity INTEGER, note VARCHAR)`)
  const appender = await connection.createAppender('orders')
  const types = [VARCHAR, VARCHAR, TIMESTAMP_MS, DATE, TIMESTAMP_MS, DOUBLE, BIGINT, VARCHAR, VARCHAR, INTEGER, VARCHAR]
  const millis = (value: unknown) =>
    value === null
      ? null
      : new DuckDBTimestampMillisecondsValue(
          BigInt(Date.parse(String(value instanceof Date ? value.toISOString() : value))),
        )
  const convert: Array<(value: unknown) => DuckDBValue> = [
    (v) => v as string,
    (v) => v as string,
    millis,
    (v) => new DuckDBDateValue(Math.floor(Date.parse(v as string) / 86_400_000)),
    millis,
    (v) => v as number,
    (v) => BigInt(v as number),
    (v) => v as string,
    (v) => v as string,
    (v) => v as number,
    (v) => v as string | null,
  ]
  const values = ORDER_OUTPUT_COLUMNS.map(({ name }) => columns[name]!)
  for (let start = 0; start < WRITER_ROWS; start += 2048) {
    const count = Math.min(2048, WRITER_ROWS - start)
    const chunk = DuckDBDataChunk.create(types, count)
    chunk.setColumns(values.map((column, i) => column.slice(start, start + count).map(convert[i]!)))
    appender.appendDataChunk(chunk)
  }
  appender.closeSync()
  await connection.run(
    `COPY orders TO '${join(CACHE, 'out-duckdb-writer.parquet')}' (FORMAT parquet, COMPRESSION snappy)`,
  )
  const seconds = (performance.now() - started) / 1000
  connection.closeSync()
  instance.closeSync()
  rmSync(join(CACHE, 'out-duckdb-writer.parquet'), { force: true })
  return seconds
}

async function child(args: string[]): Promise<void> {
  const [mode, input, output, runs, codec] = args as [string, string, string, string, BenchCodec]
  const result =
    mode === 'writers'
      ? await writersChild()
      : mode === 'duckdb'
        ? await duckdbChild(input, output, Number(runs), codec)
        : await engineChild(mode as 'engine' | 'pool', input, output, Number(runs), codec)
  process.stdout.write(`${JSON.stringify(result)}\n`)
}

// ---------------------------------------------------------------------------------------------
// parent

function hasTaskset(): boolean {
  try {
    execFileSync('taskset', ['-c', '0', 'true'])
    return true
  } catch {
    return false
  }
}

const PINNED = hasTaskset()

function measure<T = Measurement>(mode: string, input: string, runs: number, codec: BenchCodec = 'SNAPPY'): Promise<T> {
  const output = join(CACHE, `out-${mode}-${codec}.parquet`)
  const node = [
    `--max-old-space-size=${HEAP_MB}`,
    fileURLToPath(import.meta.url),
    '--child',
    mode,
    input,
    output,
    String(runs),
    codec,
  ]
  const [command, args] = PINNED ? ['taskset', ['-c', '0', process.execPath, ...node]] : [process.execPath, node]
  return new Promise((done, fail) => {
    const proc = spawn(command as string, args as string[], { stdio: ['ignore', 'pipe', 'inherit'] })
    let stdout = ''
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8')
    })
    proc.on('error', fail)
    proc.on('close', (code) => {
      rmSync(output, { force: true })
      rmSync(`${output}.rejected.ndjson`, { force: true })
      if (code !== 0) fail(new Error(`${mode} child exited with ${code}`))
      else done(JSON.parse(stdout.trim().split('\n').at(-1)!) as T)
    })
  })
}

function rate(m: Measurement): number {
  return Math.round(m.rows / m.seconds)
}

function describe(label: string, m: Measurement): string {
  const durations = m.durationsMs
    ? ` [${Object.entries(m.durationsMs)
        .map(([k, v]) => `${k} ${Math.round(v)}`)
        .join(', ')} ms]`
    : ''
  return `${label.padEnd(22)} ${m.rows} rows in ${m.seconds.toFixed(2)} s (cpu ${m.cpuSeconds.toFixed(2)} s, first run ${m.firstSeconds.toFixed(2)} s) = ${rate(m)} rows/s, peak RSS ${Math.round(m.peakRssMb)} MB${m.outputBytes ? `, output ${(m.outputBytes / 1e6).toFixed(1)} MB` : ''}${durations}`
}

/** The engine on 1M and 3M rows and DuckDB on 1M, both writing `codec`. */
async function measureCodec(codec: BenchCodec, oneMillion: string, threeMillion: string) {
  const name = codec.toLowerCase()
  const duckdb = await measure('duckdb', oneMillion, 3, codec)
  console.log(describe(`duckdb 1M ${name}`, duckdb))
  const engine = await measure('engine', oneMillion, 3, codec)
  console.log(describe(`engine 1M ${name}`, engine))
  const engine3 = await measure('engine', threeMillion, 1, codec)
  console.log(describe(`engine 3M ${name}`, engine3))
  const slowdown = duckdb.seconds > 0 ? engine.seconds / duckdb.seconds : Number.NaN
  // CPU time as well: on a shared machine the wall time counts what others ran on the core too
  const cpuSlowdown = duckdb.cpuSeconds > 0 ? engine.cpuSeconds / duckdb.cpuSeconds : Number.NaN
  return { duckdb, engine, engine3, slowdown, cpuSlowdown }
}

async function main(): Promise<void> {
  const oneMillion = await generate(1_000_000)
  const threeMillion = await generate(3_000_000)
  console.log(
    `children: --max-old-space-size=${HEAP_MB}${PINNED ? ', taskset -c 0 (one core)' : ', not pinned (no taskset)'}; duckdb threads=1`,
  )
  const snappy = await measureCodec('SNAPPY', oneMillion, threeMillion)
  const pooled = await measure('pool', oneMillion, 3)
  console.log(describe('engine 1M snappy via pool', pooled))
  const { engine } = snappy
  const overhead = (pooled.seconds / engine.seconds - 1) * 100
  const cpuOverhead = (pooled.cpuSeconds / engine.cpuSeconds - 1) * 100
  // the children share core 0 with whatever else runs: wall time well over CPU time means the core was
  // busy elsewhere (both runs only read and write local files), so compare CPU when the two disagree
  console.log(
    `worker pool overhead: ${overhead.toFixed(1)}% of the 1M run (wall), ${cpuOverhead.toFixed(1)}% (cpu); wall - cpu: engine ${(engine.seconds - engine.cpuSeconds).toFixed(2)} s, pool ${(pooled.seconds - pooled.cpuSeconds).toFixed(2)} s`,
  )
  const zstd = await measureCodec('ZSTD', oneMillion, threeMillion)
  const writers = await measure<WritersResult>('writers', oneMillion, 1)
  console.log(
    `writers, ${WRITER_ROWS} orders output rows, encode only: ${Object.entries(writers.rowsPerSecond)
      .map(([name, rowsPerSecond]) => `${name} ${Math.round(rowsPerSecond)} rows/s`)
      .join(', ')}; ${Object.entries(writers.bytes)
      .map(([name, bytes]) => `${name} ${(bytes / 1e6).toFixed(2)} MB`)
      .join(', ')}`,
  )
  const mb = (m: Measurement) => (m.outputBytes / 1e6).toFixed(1)
  console.log(
    `zstd output ${mb(zstd.engine)} MB vs snappy ${mb(engine)} MB (${((1 - zstd.engine.outputBytes / engine.outputBytes) * 100).toFixed(0)}% smaller); duckdb's own: zstd ${mb(zstd.duckdb)} MB, snappy ${mb(snappy.duckdb)} MB`,
  )
  console.log(
    [
      `engine_rows_per_s=${rate(engine)} duckdb_rows_per_s=${rate(snappy.duckdb)}`,
      `slowdown_vs_duckdb=${snappy.slowdown.toFixed(2)} peak_rss_mb_1m=${Math.round(engine.peakRssMb)}`,
      `peak_rss_mb_3m=${Math.round(snappy.engine3.peakRssMb)} zstd_rows_per_s=${rate(zstd.engine)}`,
      `duckdb_zstd_rows_per_s=${rate(zstd.duckdb)} zstd_slowdown_vs_duckdb=${zstd.slowdown.toFixed(2)}`,
      `zstd_peak_rss_mb_1m=${Math.round(zstd.engine.peakRssMb)} zstd_peak_rss_mb_3m=${Math.round(zstd.engine3.peakRssMb)}`,
      `zstd_output_mb=${mb(zstd.engine)} snappy_output_mb=${mb(engine)}`,
      `slowdown_vs_duckdb_cpu=${snappy.cpuSlowdown.toFixed(2)} zstd_slowdown_vs_duckdb_cpu=${zstd.cpuSlowdown.toFixed(2)}`,
    ].join(' '),
  )
}

if (process.argv[2] === '--child') await child(process.argv.slice(3))
else await main()
