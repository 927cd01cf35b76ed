import type { CheckResult } from '../messages.js'
import type { DatasetChecks } from './config.js'
import { check } from './result.js'

/** What the night did for one dataset, gathered by the caller (history, drain, HEAD requests). */
export interface NightObservation {
  /** files of the dataset-night (processed, whatever their outcome) */
  files: number
  /** `bucket/key` of objects drained tonight that never got a result */
  unprocessed: string[]
  /** `bucket/key` of processed files whose output object does not exist */
  missingOutputs: string[]
  rowsIn: number
  rowsOut: number
  rowsRejected: number
}

const MAX_LISTED = 10

/**
 * The night-level checks of one dataset, in a stable order. The dataset must deliver at least one
 * file unless its `files` expectation allows none; drained objects must all be processed and every
 * processed file must have its output; rows must reconcile across the night.
 */
export function nightChecks(night: NightObservation, checks: DatasetChecks | undefined): CheckResult[] {
  const files = checks?.files
  const tolerance = files?.tolerance ?? 0
  const required = files === undefined || files.expected - tolerance > 0
  const out = [
    check(
      'dataset_present',
      files?.severity ?? 'fail',
      !required || night.files > 0,
      night.files,
      required ? 1 : 0,
      night.files > 0 ? `${night.files} file(s) tonight` : 'no file arrived tonight for this dataset',
    ),
  ]
  if (files) {
    out.push(
      check(
        'expected_files',
        files.severity ?? 'fail',
        Math.abs(night.files - files.expected) <= tolerance,
        night.files,
        `${files.expected}±${tolerance}`,
        `${night.files} file(s) tonight, expected ${files.expected}±${tolerance}`,
      ),
    )
  }
  out.push(
    check(
      'unprocessed_files',
      'fail',
      night.unprocessed.length === 0,
      night.unprocessed.length,
      0,
      night.unprocessed.length === 0
        ? 'every object drained tonight was processed'
        : `drained but never processed: ${list(night.unprocessed)}`,
    ),
    check(
      'outputs_present',
      'fail',
      night.missingOutputs.length === 0,
      night.missingOutputs.length,
      0,
      night.missingOutputs.length === 0
        ? 'every processed file has its output'
        : `output missing for: ${list(night.missingOutputs)}`,
    ),
    check(
      'reconciliation',
      'fail',
      night.rowsIn === night.rowsOut + night.rowsRejected,
      `${night.rowsIn}=${night.rowsOut}+${night.rowsRejected}`,
      'in=out+rejected',
      'across the night, every row read is either written or quarantined',
    ),
  )
  return out
}

function list(keys: string[]): string {
  const shown = keys.slice(0, MAX_LISTED).join(', ')
  return keys.length > MAX_LISTED ? `${shown} and ${keys.length - MAX_LISTED} more` : shown
}
