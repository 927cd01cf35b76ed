/**
 * The example project Ferry ships (examples/project): what `ferry init` writes, what `ferry demo`
 * runs, and the datasets the benchmarks and tests use, all through the one loader.
 */
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { DatasetSpec } from '../core/dataset-spec.js'
import { loadDatasets } from './load.js'

/** The package root: two folders above this module in the sources, three in the build (dist/src/project). */
const PACKAGE_ROOT = resolve(
  fileURLToPath(new URL('.', import.meta.url)),
  import.meta.url.endsWith('.ts') ? '../..' : '../../..',
)

export const EXAMPLE_PROJECT = join(PACKAGE_ROOT, 'examples', 'project')

/** The published JSON Schema of dataset.yaml. */
export const DATASET_SCHEMA_FILE = join(PACKAGE_ROOT, 'src', 'schemas', 'dataset.schema.json')

/** The example's datasets, loaded and validated like any project's. */
export function exampleDatasets(): DatasetSpec[] {
  return loadDatasets(join(EXAMPLE_PROJECT, 'datasets'), PACKAGE_ROOT)
}
