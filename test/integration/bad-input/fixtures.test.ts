/**
 * The corpus manifest (test/fixtures/bad/cases.ts) is consistent with what is committed: every file
 * a case names exists and is small, nothing under files/ is orphaned, README.md is the one rendered
 * from the manifest, and each limit case is over its own limit only while every other case is under
 * all of them. No server is needed.
 *
 * FERRY_WRITE_BAD_FIXTURES=1 rewrites the made files (generate.ts RECIPES) and README.md first.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { BAD_CASES, type BadCase, caseBytes, LIMITS } from '../../fixtures/bad/cases.js'
import { FILES_DIR, RECIPES, renderReadme } from '../../fixtures/bad/generate.js'

const README = new URL('../../fixtures/bad/README.md', import.meta.url)
const MAX_COMMITTED_BYTES = 100 * 1024

if (process.env.FERRY_WRITE_BAD_FIXTURES === '1') {
  for (const [name, recipe] of Object.entries(RECIPES)) writeFileSync(new URL(name, FILES_DIR), recipe())
  writeFileSync(README, renderReadme(BAD_CASES, LIMITS))
}

function committedFiles(dir: URL, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? committedFiles(new URL(`${entry.name}/`, dir), `${prefix}${entry.name}/`)
      : [`${prefix}${entry.name}`],
  )
}

function referenced(c: BadCase): string[] {
  if (c.kind === 'notification') {
    const object = c.object?.bytes && 'file' in c.object.bytes ? [c.object.bytes.file] : []
    return [`notifications/${c.body}`, ...object]
  }
  return 'file' in c.bytes ? [c.bytes.file] : []
}

/** What reading the bytes would inflate to, for a gzip; the bytes themselves otherwise. */
function inflatedSize(bytes: Uint8Array): number {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes.byteLength
  try {
    return gunzipSync(bytes, { maxOutputLength: 64 * 1024 * 1024 }).byteLength
  } catch (err) {
    // over the cap: a bomb; otherwise a broken gzip, which inflates to nothing much
    return (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? Number.POSITIVE_INFINITY : bytes.byteLength
  }
}

describe('the bad-input corpus manifest', () => {
  it('has at least 45 uniquely named cases, uploads under unique keys', () => {
    expect(BAD_CASES.length).toBeGreaterThanOrEqual(45)
    expect(new Set(BAD_CASES.map((c) => c.name)).size).toBe(BAD_CASES.length)
    const keys = BAD_CASES.flatMap((c) => (c.kind === 'upload' ? [c.key] : c.object ? [c.object.key] : []))
    expect(new Set(keys).size).toBe(keys.length)
  })

  it('names only committed files, each under 100 KB, and every committed file is used', () => {
    const files = committedFiles(FILES_DIR).sort()
    const used = new Set(BAD_CASES.flatMap(referenced))
    for (const name of used) expect(files, name).toContain(name)
    expect(files.filter((f) => !used.has(f))).toEqual([])
    for (const name of Object.keys(RECIPES)) expect(files, `recipe ${name}`).toContain(name)
    for (const name of files) {
      expect(statSync(new URL(name, FILES_DIR)).size, name).toBeLessThan(MAX_COMMITTED_BYTES)
    }
  })

  it('README.md is rendered from the manifest', () => {
    expect(readFileSync(fileURLToPath(README), 'utf8')).toBe(renderReadme(BAD_CASES, LIMITS))
  })

  it('each limit case is over its own limit; every other case is under all of them', () => {
    for (const c of BAD_CASES) {
      const bytes = c.kind === 'upload' ? caseBytes(c.bytes) : c.object?.bytes ? caseBytes(c.object.bytes) : undefined
      if (!bytes) continue
      const outcome = c.kind === 'upload' ? c.expect : c.expect.drain === 'queued' ? c.expect.file : undefined
      const over = outcome?.message?.source
      const size = bytes.byteLength
      if (over === 'FERRY_MAX_OBJECT_BYTES') {
        expect(size, c.name).toBeGreaterThan(LIMITS.FERRY_MAX_OBJECT_BYTES)
        continue
      }
      expect(size, c.name).toBeLessThanOrEqual(LIMITS.FERRY_MAX_OBJECT_BYTES)
      const inflated = inflatedSize(bytes)
      if (over === 'FERRY_MAX_DECOMPRESSED_BYTES')
        expect(inflated, c.name).toBeGreaterThan(LIMITS.FERRY_MAX_DECOMPRESSED_BYTES)
      else expect(inflated, c.name).toBeLessThanOrEqual(LIMITS.FERRY_MAX_DECOMPRESSED_BYTES)
    }
  })

  it('builds the same bytes every time', () => {
    for (const c of BAD_CASES) {
      const bytes = c.kind === 'upload' ? c.bytes : c.object?.bytes
      if (!bytes || 'file' in bytes || bytes.describe.includes('32 MiB')) continue
      expect(Buffer.from(bytes.build()).equals(Buffer.from(bytes.build())), c.name).toBe(true)
    }
  })
})
