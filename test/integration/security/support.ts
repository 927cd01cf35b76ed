import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { LocalNotificationQueue } from '../../../src/adapters/local/notification-queue.js'
import { LocalObjectStore } from '../../../src/adapters/local/object-store.js'
import type { QualityMessage } from '../../../src/core/messages.js'
import { generateSampleNight, type SampleFile } from '../../../src/core/sample-night.js'
import { objectCreatedBody } from '../../../src/producers/object-created.js'

/** Every regular file under `dir`, recursively (symlinks are not followed), as absolute paths. */
export function filesUnder(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) out.push(...filesUnder(path))
    else out.push(path)
  }
  return out.sort()
}

/** Every path under `dir` (folders too), relative to it, skipping the subtrees in `except`. */
export function treeOf(dir: string, except: string[] = []): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (except.includes(path)) continue
    out.push(relative(dir, path) + (entry.isDirectory() ? '/' : ''))
    if (entry.isDirectory()) out.push(...treeOf(path, except).map((p) => `${relative(dir, path)}/${p}`))
  }
  return out.sort()
}

/** The sample night (6 files: one corrupt, two with invalid rows) in `landing`, announced on the local queue. */
export async function plantSampleNight(home: string): Promise<SampleFile[]> {
  const night = generateSampleNight({ date: '2026-11-22', files: 6, seed: 3 }).files
  const store = new LocalObjectStore({ root: join(home, 'buckets') })
  const queue = new LocalNotificationQueue(join(home, 'queue'))
  for (const file of night) {
    const info = await store.put('landing', file.key, file.bytes)
    await queue.send(objectCreatedBody(info, new Date('2026-11-22T23:00:00Z')))
  }
  return night
}

/** The messages of a local event-bus topic file: one JSON line each, the payload base64 in `data`. */
export function busMessages(file: string): QualityMessage[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(Buffer.from((JSON.parse(line) as { data: string }).data, 'base64').toString('utf8')))
}
