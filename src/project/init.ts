/**
 * `ferry init`: a working project written from the example Ferry ships (examples/project: config, the
 * `orders` dataset with a test case, a README for the project folder, a .gitignore for Ferry's local
 * state), plus a copy of the dataset.yaml JSON Schema that editors complete and check against.
 * `ferry demo` loads the very same example.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { basename, dirname, join, relative } from 'node:path'
import { UsageError } from '../errors.js'
import { DATASET_SCHEMA_FILE, EXAMPLE_PROJECT } from './example.js'

/** Where a project keeps its copy of the dataset.yaml schema, which `# yaml-language-server` lines name. */
export const PROJECT_SCHEMA_FILE = 'dataset.schema.json'

/** npm leaves `.gitignore` files out of packages, so the example keeps it under another name. */
const RENAMED: Readonly<Record<string, string>> = { gitignore: '.gitignore' }

function files(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry)
    return statSync(path).isDirectory() ? files(path, base) : [relative(base, path)]
  })
}

export interface InitResult {
  dir: string
  written: string[]
}

/**
 * Writes the example project into `dir` (created when missing). Refuses, listing them, to overwrite
 * files that exist unless `force`.
 */
export function initProject(dir: string, options: { force?: boolean } = {}): InitResult {
  const targets = files(EXAMPLE_PROJECT).map((file) => ({
    from: join(EXAMPLE_PROJECT, file),
    to: join(dir, dirname(file), RENAMED[basename(file)] ?? basename(file)),
  }))
  targets.push({ from: DATASET_SCHEMA_FILE, to: join(dir, PROJECT_SCHEMA_FILE) })
  const existing = targets.map((t) => t.to).filter((path) => existsSync(path))
  if (existing.length > 0 && !options.force) {
    throw new UsageError(
      `${dir} already holds ${existing.map((p) => relative(dir, p)).join(', ')}; use --force to overwrite them`,
    )
  }
  for (const { from, to } of targets) {
    mkdirSync(dirname(to), { recursive: true })
    copyFileSync(from, to)
  }
  return { dir, written: targets.map((t) => relative(dir, t.to)).sort() }
}
