/**
 * The example project's datasets (examples/project, what `ferry init` writes and `ferry demo` runs),
 * loaded by the one loader, for tests that need a real dataset: as the plain definitions every
 * command and worker thread gets, and as the engine's compiled form for in-thread engine tests.
 */
import { join } from 'node:path'
import type { Dataset, JsonSchema } from '../../src/core/dataset.js'
import { type DatasetSpec, datasetFromSpec } from '../../src/core/dataset-spec.js'
import { EXAMPLE_PROJECT, exampleDatasets } from '../../src/project/example.js'

/** The example's datasets folder, for FERRY_DATASETS / `datasets:` in a test's config. */
export const EXAMPLE_DATASETS = join(EXAMPLE_PROJECT, 'datasets')

export const exampleSpecs: readonly DatasetSpec[] = exampleDatasets()

export const ordersSpec: DatasetSpec = exampleSpecs.find((d) => d.name === 'orders')!

/** `orders` as the engine runs it. */
export const orders: Dataset = datasetFromSpec(ordersSpec)

/** The orders steps applied to one row, as the engine's row path applies them. */
export const transformOrder = orders.transform

export const ordersSchema: JsonSchema = ordersSpec.schema
