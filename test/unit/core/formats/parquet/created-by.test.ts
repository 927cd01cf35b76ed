import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { describe, expect, it } from 'vitest'
import packageJson from '../../../../../package.json' with { type: 'json' }
import { CREATED_BY, packageVersion } from '../../../../../src/core/formats/parquet/encode/created-by.js'

/** Folders and files under a fresh temporary root; returns the root. */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'ferry-created-by-'))
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return root
}

const MODULE = 'dist/src/core/formats/parquet/encode/created-by.js'

describe("the footer's created_by", () => {
  it('is `ferry version <package.json version>`, the form parquet-mr and DuckDB write', () => {
    expect(CREATED_BY).toBe(`ferry version ${packageJson.version}`)
    expect(CREATED_BY).toMatch(/^ferry version \d+\.\d+\.\d+/)
  })

  it("finds the version from the build's depth too, as the image lays it out (/app/package.json)", () => {
    const app = tree({ 'app/package.json': '{"name":"ferry","version":"9.8.7"}', [`app/${MODULE}`]: '' })
    expect(packageVersion(pathToFileURL(join(app, 'app', MODULE)))).toBe('9.8.7')
  })

  it("skips other packages' manifests and broken ones on the way up, and says when there is none", () => {
    const root = tree({
      'package.json': '{"name":"ferry","version":"1.2.3"}',
      'node_modules/ferry/package.json': '{ not json',
      'node_modules/ferry/dist/package.json': '{"name":"other","version":"0.0.1"}',
      [`node_modules/ferry/${MODULE}`]: '',
    })
    expect(packageVersion(pathToFileURL(join(root, 'node_modules/ferry', MODULE)))).toBe('1.2.3')
    const bare = tree({ [MODULE]: '' })
    // the temporary folder has no ferry package.json above it
    expect(packageVersion(pathToFileURL(join(bare, MODULE)))).toBeUndefined()
  })
})
