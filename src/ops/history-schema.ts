import { Ajv, type JSONSchemaType } from 'ajv'
import type { FileStatus } from '../core/messages.js'
import type { DatasetNight } from './report/model.js'

/**
 * What one file contributed to its dataset-night, stored as its own object so that workers on
 * different machines never write the same object for different files (see history.ts).
 */
export interface HistoryEntry {
  schema: 'ferry.history-file/v1'
  dataset: string
  /** the dataset-night: the file's event date */
  date: string
  /** `bucket/key` of the source object */
  key: string
  runId: string
  status: FileStatus
  rowsIn: number
  rowsOut: number
  rowsRejected: number
  bytesIn: number
  bytesOut: number
  durationMs: number
  quality: 'pass' | 'fail'
  /** why the file failed (its failing checks, or the processing error); absent when it passed */
  reason?: string
  evaluatedAt: string
}

const count = { type: 'integer', minimum: 0 } as const
const date = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } as const

const entrySchema: JSONSchemaType<HistoryEntry> = {
  type: 'object',
  additionalProperties: false,
  required: [
    'schema',
    'dataset',
    'date',
    'key',
    'runId',
    'status',
    'rowsIn',
    'rowsOut',
    'rowsRejected',
    'bytesIn',
    'bytesOut',
    'durationMs',
    'quality',
    'evaluatedAt',
  ],
  properties: {
    schema: { type: 'string', const: 'ferry.history-file/v1' },
    dataset: { type: 'string' },
    date,
    key: { type: 'string' },
    runId: { type: 'string' },
    status: { type: 'string', enum: ['written', 'quarantined', 'dead-lettered'] },
    rowsIn: count,
    rowsOut: count,
    rowsRejected: count,
    bytesIn: count,
    bytesOut: count,
    durationMs: { type: 'number', minimum: 0 },
    quality: { type: 'string', enum: ['pass', 'fail'] },
    reason: { type: 'string', nullable: true },
    evaluatedAt: { type: 'string' },
  },
}

const nightSchema: JSONSchemaType<DatasetNight> = {
  type: 'object',
  // The report model may grow optional fields; a night written by a newer Ferry still reads.
  additionalProperties: true,
  required: [
    'dataset',
    'date',
    'runId',
    'files',
    'filesWritten',
    'filesDeadLettered',
    'rowsIn',
    'rowsOut',
    'rowsRejected',
    'bytesIn',
    'bytesOut',
    'durationMsTotal',
    'durationMsMax',
    'qualityPass',
    'qualityFail',
    'failures',
    'slowest',
    'updatedAt',
  ],
  properties: {
    dataset: { type: 'string' },
    date,
    runId: { type: 'string' },
    files: count,
    filesWritten: count,
    filesDeadLettered: count,
    rowsIn: count,
    rowsOut: count,
    rowsRejected: count,
    bytesIn: count,
    bytesOut: count,
    durationMsTotal: { type: 'number', minimum: 0 },
    durationMsMax: { type: 'number', minimum: 0 },
    qualityPass: count,
    qualityFail: count,
    failures: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'reason'],
        properties: { key: { type: 'string' }, reason: { type: 'string' } },
      },
    },
    slowest: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'durationMs'],
        properties: { key: { type: 'string' }, durationMs: { type: 'number', minimum: 0 } },
      },
    },
    lag: { type: 'number', minimum: 0, nullable: true },
    updatedAt: { type: 'string' },
  },
}

const ajv = new Ajv({ allErrors: true, strict: true })
const validateEntry = ajv.compile(entrySchema)
const validateNight = ajv.compile(nightSchema)

/** A stored entry, or undefined when the object is not one (a hand-edited or truncated file). */
export function parseEntry(bytes: Uint8Array): HistoryEntry | undefined {
  const value = parseJson(bytes)
  return validateEntry(value) ? value : undefined
}

/** A stored dataset-night, or undefined when the object is not one. */
export function parseNight(bytes: Uint8Array): DatasetNight | undefined {
  const value = parseJson(bytes)
  return validateNight(value) ? value : undefined
}

function parseJson(bytes: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'))
  } catch {
    return undefined
  }
}
