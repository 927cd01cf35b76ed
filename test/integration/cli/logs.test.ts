/**
 * Logs fit for alarms: a night with two workers sharing the partitions (the second one's arrival
 * rebalances the group) logs `error` only for what a person must act on, here the one corrupt file,
 * and no JSON line repeats a key.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { beforeAll, describe, expect, inject, it } from 'vitest'
import { generateSampleNight, type SampleFile } from '../../../src/core/sample-night.js'
import { type BinRun, runFerry } from '../../support/bin.js'
import { createWorld, type FerryWorld } from '../../support/ferry-env.js'

const endpoints = inject('endpoints')

/** The keys of a JSON object's top level, in order, repeats included (JSON.parse would drop them). */
function topLevelKeys(line: string): string[] {
  const keys: string[] = []
  let depth = 0
  for (let i = 0; i < line.length; i++) {
    const c = line[i]
    if (c === '"') {
      const start = i
      for (i++; i < line.length && line[i] !== '"'; i++) if (line[i] === '\\') i++
      if (depth === 1 && line[i + 1] === ':') keys.push(line.slice(start + 1, i))
    } else if (c === '{' || c === '[') depth++
    else if (c === '}' || c === ']') depth--
  }
  return keys
}

function jsonLines(run: BinRun): string[] {
  return run.stderr.split('\n').filter((line) => line.startsWith('{'))
}

describe('logs of a two-worker night', () => {
  let world: FerryWorld
  let files: SampleFile[]
  const runs: BinRun[] = []

  beforeAll(async () => {
    world = await createWorld(endpoints)
    files = generateSampleNight({ date: '2026-11-23', files: 30, seed: 4 }).files
    for (const file of files) {
      await world.s3.send(new PutObjectCommand({ Bucket: world.landing, Key: file.key, Body: file.bytes }))
    }
    const credentials = { AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' }
    const env = { ...world.env, ...credentials, FERRY_LOG_LEVEL: 'info', FERRY_LOG_FORMAT: 'json' }
    const options = { cwd: world.home, env }
    runs.push(await runFerry(['drain', '--wait-seconds', '1', '--empty-receives', '1'], options))
    // the second worker starts once the first has joined and holds the partitions: the group rebalances
    let joined: () => void = () => {}
    const firstJoined = new Promise<void>((resolve) => {
      joined = resolve
    })
    const first = runFerry(['work', '--until-idle'], {
      ...options,
      onStderr: (stderr) => {
        if (stderr.includes('"msg":"joined the consumer group"')) joined()
      },
    })
    await Promise.race([firstJoined, first])
    const second = runFerry(['work', '--until-idle'], options)
    runs.push(...(await Promise.all([first, second])))
    runs.push(await runFerry(['quality', '--until-idle'], options))
  })

  it('processes the night: both workers exit cleanly', () => {
    expect(
      runs.map((r) => r.code),
      runs.map((r) => r.stderr.slice(-2000)).join('\n---\n'),
    ).toEqual([0, 0, 0, 1])
    const processed = runs
      .slice(1, 3)
      .flatMap(jsonLines)
      .filter((line) => /"msg":"file (processed|dead-lettered)"/.test(line))
    expect(processed).toHaveLength(files.length)
  })

  it("logs error only for the night's real failure: the corrupt file", () => {
    const corrupt = files.filter((f) => f.expect.corrupt).map((f) => f.key)
    const errors = runs.flatMap(jsonLines).filter((line) => JSON.parse(line).level === 'error')
    expect(errors.map((line) => [JSON.parse(line).msg, JSON.parse(line).key])).toEqual(
      corrupt.map((key) => ['file dead-lettered', key]),
    )
  })

  it('logs the rebalance at info: it happened (kafkajs reports it as ERROR), and it is not an error', () => {
    const lines = runs.slice(1, 3).flatMap(jsonLines)
    const joins = lines.filter((line) => line.includes('"msg":"joined the consumer group"'))
    // the first worker joined alone, then again when the second one arrived: three joins in all
    expect(joins.length).toBeGreaterThanOrEqual(3)
    const rebalance = lines
      .map((line) => JSON.parse(line) as { level: string; kafkajs?: string; msg: string })
      .filter((entry) => entry.kafkajs !== undefined && /rebalanc/i.test(entry.msg))
    expect(rebalance.length).toBeGreaterThan(0)
    expect(new Set(rebalance.map((entry) => entry.level))).toEqual(new Set(['info']))
  })

  it('never repeats a key in a JSON line', () => {
    const repeated = runs
      .flatMap(jsonLines)
      .map((line) => topLevelKeys(line).filter((key, i, all) => all.indexOf(key) !== i))
      .filter((dups) => dups.length > 0)
    expect(repeated).toEqual([])
  })
})
