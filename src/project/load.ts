/**
 * The one loader of a Ferry project's datasets: every command gets its datasets from here, once, at
 * boot, and hands the same definitions to the engine's worker threads. A project is a folder the user
 * owns; its datasets folder holds one folder per dataset (see dataset-file.ts). Folders whose names
 * start with `_` or `.` are not datasets (shared schema files, say).
 */
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import type { DatasetSpec } from '../core/dataset-spec.js'
import { ConfigError } from '../errors.js'
import { type Located, loadDatasetFolder } from './dataset-file.js'

export interface Project {
  /** the datasets folder, absolute; undefined when the configuration names none and none was found */
  datasetsDir: string | undefined
  /** sorted by name */
  datasets: readonly DatasetSpec[]
}

/** The configuration's datasets folder loaded, or an empty project when there is none. */
export function loadProject(datasetsDir: string | undefined, cwd: string): Project {
  if (!datasetsDir) return { datasetsDir: undefined, datasets: [] }
  return { datasetsDir, datasets: loadDatasets(datasetsDir, cwd) }
}

function formatLocated(located: Located, cwd: string): string {
  const file = relative(cwd, located.file) || located.file
  return `${file}${located.line !== undefined ? `:${located.line}` : ''}: ${located.problem}`
}

/**
 * Every dataset in the folder, validated. Throws ConfigError listing every problem of every dataset
 * (each with its file, line and field path) so that a broken project is fixed in one round.
 */
export function loadDatasets(dir: string, cwd: string): DatasetSpec[] {
  let entries: string[]
  try {
    if (!statSync(dir).isDirectory()) throw new Error('not a folder')
    entries = readdirSync(dir).sort()
  } catch {
    throw new ConfigError(`the datasets folder ${dir} does not exist or is not a folder`, [
      'create it with `ferry init`, or point --datasets, FERRY_DATASETS or `datasets:` in ferry.config.yaml at one',
    ])
  }
  const specs: DatasetSpec[] = []
  const problems: string[] = []
  for (const entry of entries) {
    const path = join(dir, entry)
    if (entry.startsWith('_') || entry.startsWith('.') || !statSync(path).isDirectory()) continue
    const loaded = loadDatasetFolder(path)
    if (loaded.ok) specs.push(loaded.spec)
    else problems.push(...loaded.problems.map((p) => formatLocated(p, cwd)))
  }
  const byName = new Map<string, DatasetSpec>()
  for (const spec of specs) {
    const other = byName.get(spec.name)
    if (other) {
      problems.push(`${relative(cwd, spec.file)}: name: ${spec.name} is also the name of ${relative(cwd, other.file)}`)
    }
    byName.set(spec.name, spec)
  }
  if (problems.length > 0) throw new ConfigError(`the datasets in ${relative(cwd, dir) || dir} are invalid`, problems)
  return specs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
}
