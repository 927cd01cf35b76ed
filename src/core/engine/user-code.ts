/**
 * A dataset's own code (`transform: ./transform.js` in dataset.yaml), imported by file URL inside an
 * engine worker thread and nowhere else: there, the pool's hard time limit stops an endless loop in
 * it like any other stuck file, and a broken module cannot take the main thread down.
 */
import { pathToFileURL } from 'node:url'
import { ConfigError, errorMessage } from '../../errors.js'
import type { Dataset, Row } from '../dataset.js'
import {
  columnStep,
  type DatasetSpec,
  datasetFromSpec,
  parseStep,
  type StepSpec,
  type TransformModule,
} from '../dataset-spec.js'
import type { ColumnStep } from '../transform.js'

function isColumnStep(step: StepSpec | ColumnStep): step is ColumnStep {
  return step.op !== 'derive' || 'value' in step
}

/** The module's exports, checked: `transform` a function, `steps` an array of steps. */
async function importModule(spec: DatasetSpec, path: string): Promise<TransformModule> {
  const where = `dataset ${spec.name}: transform module ${path}`
  let exports: Record<string, unknown>
  try {
    exports = await import(pathToFileURL(path).href)
  } catch (err) {
    throw new ConfigError(`${where} could not be loaded`, [
      `${errorMessage(err)} (it must be an ES module: export function transform(row) {...}; name it .mjs if a package.json says "type": "commonjs")`,
    ])
  }
  const problems: string[] = []
  const transform = exports.transform
  if (transform !== undefined && typeof transform !== 'function')
    problems.push('transform: must be a function (row) => row')
  const steps: ColumnStep[] = []
  if (exports.steps !== undefined && !Array.isArray(exports.steps)) problems.push('steps: must be an array of steps')
  ;((Array.isArray(exports.steps) ? exports.steps : []) as unknown[]).forEach((raw, i) => {
    const parsed = parseStep(raw, { code: true })
    for (const problem of parsed.problems) problems.push(`steps.${i}.${problem}`)
    if (parsed.step) steps.push(isColumnStep(parsed.step) ? parsed.step : columnStep(parsed.step))
  })
  if (transform === undefined && exports.steps === undefined) {
    problems.push('exports neither transform (a row function) nor steps (column steps)')
  }
  if (problems.length > 0) throw new ConfigError(`${where} is invalid`, problems)
  return { steps, ...(transform ? { transform: transform as (row: Row) => Row } : {}) }
}

/** The engine's datasets for the specs, each transform module imported once. Throws ConfigError. */
export async function loadDatasets(specs: readonly DatasetSpec[]): Promise<Map<string, Dataset>> {
  const datasets = new Map<string, Dataset>()
  for (const spec of specs) {
    const module = spec.transformModule ? await importModule(spec, spec.transformModule) : undefined
    datasets.set(spec.name, datasetFromSpec(spec, module))
  }
  return datasets
}
