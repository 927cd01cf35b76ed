/**
 * The footer's created_by: `ferry version X.Y.Z`, the `<application> version <semver>` form that
 * parquet-mr, parquet-cpp and DuckDB write and that readers parse to recognise a writer's known bugs.
 * The version is package.json's, found by walking up from this module, which works from the sources
 * (src/...), the build (dist/src/...), the image (/app/dist/... beside /app/package.json) and an npm
 * install alike, where a fixed number of `..` would not.
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const NAME = 'ferry'

/** The version in the nearest package.json named `ferry` at or above `from`; undefined when none is. */
export function packageVersion(from: URL): string | undefined {
  let dir = dirname(fileURLToPath(from))
  for (;;) {
    let manifest: { name?: unknown; version?: unknown } | undefined
    try {
      manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
    } catch {
      // none here (or not JSON): look further up
    }
    if (manifest?.name === NAME && typeof manifest.version === 'string') return manifest.version
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
}

const version = packageVersion(new URL(import.meta.url))

/** What Ferry's files say wrote them; plain `ferry` should a deployment have lost its package.json. */
export const CREATED_BY = version === undefined ? NAME : `${NAME} version ${version}`
