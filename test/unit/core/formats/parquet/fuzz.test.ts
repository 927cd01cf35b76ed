/**
 * Mutation fuzzing of the Parquet reader: a few thousand deterministic mutants (mutants.ts) of the
 * apache/parquet-testing files (../shared/parquet-testing beside the repository) and of files Ferry
 * writes, each read through both decoders, in worker threads under a time cap and a heap cap, with
 * page limits set. Every mutant must either read, identically with both decoders, or end in a typed
 * error (FERRY_FORMAT, FERRY_UNSUPPORTED, FERRY_LIMIT) whose message is Ferry's own, not a JavaScript
 * engine's; a hang or a crashed worker fails the suite. Mutants of the footer also go through
 * `ferry inspect`'s footer summary, which must end the same way. The seed is fixed: a failure is
 * reproducible, and its mutant becomes a fixture in test/fixtures/parquet/regressions.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { writeParquet } from '../../../../../src/core/formats/parquet.js'
import { seededRandom } from '../../../../../src/core/sample-orders.js'
import { IsolatedReader, type Job, type Outcome } from './isolated.js'
import { layoutOf, mutate } from './mutants.js'
import { ALL_TYPES, ALL_TYPES_ROWS } from './support.js'

const CORPUS = fileURLToPath(new URL('../../../../../../shared/parquet-testing/data/', import.meta.url))
const SEED = 20261123
const MUTANTS_PER_FILE = 200
/** generous for files of a few kilobytes: only a decoder caught in a loop takes this long */
const TIME_CAP_MS = 10_000
const HEAP_CAP_MB = 256
const RSS_CAP_BYTES = 1.5 * 1024 ** 3
const LIMITS = { maxPageBytes: 16 * 1024 * 1024, maxDecompressedBytes: 64 * 1024 * 1024 }
const TYPED = new Set(['FERRY_FORMAT', 'FERRY_UNSUPPORTED', 'FERRY_LIMIT'])
/** what JavaScript engines and libraries say, never what Ferry says about a file */
const RAW_MESSAGES = [
  /Cannot read propert/,
  /Cannot (?:convert|mix)/,
  /Invalid typed array length/,
  /Invalid array length/,
  /outside the bounds/,
  /out of bounds/,
  /\bundefined\b/,
  /\bNaN\b/,
  /is not a function/,
  /is not iterable/,
  /Maximum call stack/,
  /Unexpected token/,
  /^parquet /,
]

function corpusFiles(): Array<[string, Uint8Array]> {
  if (!existsSync(CORPUS)) {
    throw new Error(
      `parquet-testing corpus not found at ${CORPUS}: it is expected at ../shared/parquet-testing beside the repository`,
    )
  }
  return readdirSync(CORPUS)
    .filter((name) => name.endsWith('.parquet'))
    .sort()
    .map((name) => [name, new Uint8Array(readFileSync(`${CORPUS}${name}`))])
}

function ferryFiles(): Array<[string, Uint8Array]> {
  const rows = Array.from({ length: 600 }, (_, i) => ALL_TYPES_ROWS[i % ALL_TYPES_ROWS.length]!)
  return (['SNAPPY', 'UNCOMPRESSED', 'GZIP', 'ZSTD'] as const).map((codec) => [
    `ferry-${codec.toLowerCase()}.parquet`,
    writeParquet(ALL_TYPES, rows, { rowGroupSize: 250, codec }),
  ])
}

/** What an outcome counts as, and what is wrong with it, if anything. */
function judge(outcome: Outcome): { label: string; problem?: string } {
  if (outcome.kind === 'read') return { label: 'read' }
  if (outcome.kind === 'hung') return { label: 'hung', problem: `no result within ${TIME_CAP_MS} ms` }
  if (outcome.kind === 'crashed') return { label: 'crashed', problem: outcome.message }
  const label = outcome.code ?? outcome.name
  if (!outcome.code || !TYPED.has(outcome.code))
    return { label, problem: `untyped ${outcome.name}: ${outcome.message}` }
  const raw = RAW_MESSAGES.find((pattern) => pattern.test(outcome.message))
  if (raw) return { label, problem: `a raw message (${raw}): ${outcome.message}` }
  return { label }
}

const readers = [0, 1].map(() => new IsolatedReader({ timeoutMs: TIME_CAP_MS, maxHeapMb: HEAP_CAP_MB }))
afterAll(() => Promise.all(readers.map((reader) => reader.close())))

/** Runs jobs on the readers side by side, in order of submission. */
async function runAll(jobs: Job[]): Promise<Outcome[]> {
  const outcomes: Outcome[] = new Array(jobs.length)
  let next = 0
  await Promise.all(
    readers.map(async (reader) => {
      while (next < jobs.length) {
        const index = next++
        outcomes[index] = await reader.run(jobs[index]!)
      }
    }),
  )
  return outcomes
}

describe('Parquet mutation fuzzing', () => {
  it('reads every mutant or refuses it with a typed error, with both decoders, never hanging', {
    timeout: 600_000,
  }, async () => {
    const started = performance.now()
    const random = seededRandom(SEED)
    const files = [...corpusFiles(), ...ferryFiles()]
    const mutants = files.flatMap(([name, bytes]) => {
      const layout = layoutOf(bytes)
      return Array.from({ length: MUTANTS_PER_FILE }, () => ({ file: name, ...mutate(random, bytes, layout) }))
    })
    const jobs: Job[] = mutants.flatMap(({ kind, bytes }) => [
      { kind: 'scan' as const, bytes, decoder: 'fast' as const, limits: LIMITS },
      { kind: 'scan' as const, bytes, decoder: 'hyparquet' as const, limits: LIMITS },
      ...(kind.startsWith('footer') || kind === 'truncation' ? [{ kind: 'footer' as const, bytes }] : []),
    ])
    const outcomes = await runAll(jobs)

    const counts: Record<string, number> = {}
    const failures: string[] = []
    let at = 0
    for (const [index, mutant] of mutants.entries()) {
      const name = `${mutant.file} mutant ${index % MUTANTS_PER_FILE} (${mutant.kind})`
      const fast = outcomes[at++]!
      const hyparquet = outcomes[at++]!
      const inspect = mutant.kind.startsWith('footer') || mutant.kind === 'truncation' ? outcomes[at++] : undefined
      for (const [path, outcome] of [
        ['fast', fast],
        ['hyparquet', hyparquet],
        ['inspect', inspect],
      ] as const) {
        if (!outcome) continue
        const { label, problem } = judge(outcome)
        counts[`${path} ${label}`] = (counts[`${path} ${label}`] ?? 0) + 1
        if (process.env.FUZZ_DEBUG && path === 'fast')
          counts[`kind ${mutant.kind} ${label}`] = (counts[`kind ${mutant.kind} ${label}`] ?? 0) + 1
        if (process.env.FUZZ_DEBUG && path === 'fast' && outcome.kind === 'threw' && Math.random() < 0.01)
          console.log(mutant.kind, outcome.message)
        if (problem) failures.push(`${name}, ${path}: ${problem}`)
      }
      if (fast.kind === 'read' && hyparquet.kind === 'read' && fast.digest !== hyparquet.digest) {
        failures.push(`${name}: the decoders read different values`)
      }
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    const rss = process.resourceUsage().maxRSS * 1024
    console.log(
      `Parquet fuzz: ${files.length} files, ${mutants.length} mutants, ${jobs.length} reads in ${seconds} s ` +
        `(peak RSS ${Math.round(rss / 1024 ** 2)} MB)\n` +
        Object.entries(counts)
          .sort()
          .map(([label, count]) => `  ${label}: ${count}`)
          .join('\n'),
    )
    expect(failures.slice(0, 20), `${failures.length} mutants failed`).toEqual([])
    expect(rss, 'peak RSS of the fuzzing process').toBeLessThan(RSS_CAP_BYTES)
    expect(counts['fast read'], 'mutants that still read').toBeGreaterThan(0)
    expect(counts['fast FERRY_FORMAT'], 'mutants refused as damaged').toBeGreaterThan(0)
  })
})
