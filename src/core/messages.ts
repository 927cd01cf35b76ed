import { Ajv, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { FerryError } from '../errors.js'
import dlqSchema from '../schemas/messages/dlq.v1.json' with { type: 'json' }
import fileResultSchema from '../schemas/messages/file-result.v1.json' with { type: 'json' }
import ledgerSchema from '../schemas/messages/ledger.v1.json' with { type: 'json' }
import objectSchema from '../schemas/messages/object.v1.json' with { type: 'json' }
import qualityEventSchema from '../schemas/messages/quality-event.v2.json' with { type: 'json' }

/** ferry.objects: one source object to process (key = `bucket/key`). */
export interface ObjectMessage {
  schema: 'ferry.object/v1'
  runId: string
  traceId: string
  bucket: string
  key: string
  size: number
  eTag?: string
  versionId?: string
  sequencer?: string
  eventTime: string
  eventName: string
  enqueuedAt: string
  /** set by `ferry replay --object` and `ferry backfill`: process even if this version was already written */
  replay?: true
}

export interface RowError {
  row: number
  instancePath: string
  keyword: string
  message: string
}

export type FileStatus = 'written' | 'quarantined' | 'dead-lettered'

/** A top-level column of a source file, as its Parquet footer declares it (for schema-drift checks). */
export interface SourceColumn {
  name: string
  /** `INT64`, `BYTE_ARRAY`..., or `GROUP` */
  physicalType: string
  /** e.g. `STRING`, `TIMESTAMP(MILLIS,UTC)`, `DECIMAL(10,2)` */
  logicalType?: string
}

/** ferry.results: what the worker did with one object. */
export interface FileResult {
  schema: 'ferry.file-result/v1'
  runId: string
  traceId: string
  dataset: string | null
  source: { bucket: string; key: string; uri: string; size: number; eTag?: string; versionId?: string }
  status: FileStatus
  rowsIn: number
  rowsOut: number
  rowsRejected: number
  bytesIn: number
  bytesOut: number
  durationsMs: Record<string, number> & { total: number }
  output: string | null
  quarantine: string | null
  firstErrors: RowError[]
  error: { code: string; message: string; retryable: boolean } | null
  attempts: number
  eventDate: string
  processedAt: string
  /** the source file's columns; absent when the file could not be read */
  sourceColumns?: SourceColumn[]
}

export type CheckStatus = 'pass' | 'warn' | 'fail'
export type Severity = 'warn' | 'fail'

export interface CheckResult {
  name: string
  status: CheckStatus
  severity: Severity
  observed: number | string | boolean | null
  threshold: number | string | boolean | null
  message: string
}

/** ferry-quality on Pub/Sub: the data-quality verdict for one file (scope `file`). */
export interface QualityEvent {
  schema: 'ferry.quality/v2'
  scope: 'file'
  runId: string
  traceId: string
  dataset: string
  status: 'pass' | 'fail'
  severity: 'info' | 'warn' | 'fail'
  checks: CheckResult[]
  source: { bucket: string; key: string; uri: string; eTag?: string }
  counts: { rowsIn: number; rowsOut: number; rowsRejected: number }
  output: string | null
  quarantine: string | null
  eventDate: string
  evaluatedAt: string
}

/** ferry-quality on Pub/Sub: the verdict for one dataset-night, published at the end of `nightly`. */
export interface NightQualityEvent {
  schema: 'ferry.quality/v2'
  scope: 'night'
  runId: string
  dataset: string
  /** the dataset-night, YYYY-MM-DD (UTC) */
  date: string
  status: 'pass' | 'fail'
  severity: 'info' | 'warn' | 'fail'
  checks: CheckResult[]
  counts: {
    files: number
    filesWritten: number
    filesDeadLettered: number
    rowsIn: number
    rowsOut: number
    rowsRejected: number
    bytesIn: number
    bytesOut: number
  }
  evaluatedAt: string
}

/**
 * ferry-quality on Pub/Sub: a queue message the drain could not use (not JSON, not an S3
 * notification, a malformed record...) and dead-lettered to ferry.dlq. No dataset: the drain could
 * not tell which object, let alone which dataset, it was about.
 */
export interface NotificationQualityEvent {
  schema: 'ferry.quality/v2'
  scope: 'notification'
  runId: string
  /** never present (the schema forbids it); declared so `event.dataset` reads on any QualityMessage */
  dataset?: never
  status: 'fail'
  severity: 'fail'
  checks: CheckResult[]
  /** the queue's message id (SQS MessageId), also the key of the ferry.dlq record */
  messageId: string
  /** why the drain could not use it, as in the ferry.dlq record */
  reason: string
  /** the start of the body (MAX_NOTIFICATION_BODY characters); ferry.dlq keeps more */
  body: string
  evaluatedAt: string
}

/** Anything published on ferry-quality; `scope` tells them apart. */
export type QualityMessage = QualityEvent | NightQualityEvent | NotificationQualityEvent

export type LedgerState =
  | 'received'
  | 'queued'
  | 'processing'
  | 'written'
  | 'quarantined'
  | 'dead-lettered'
  | 'qualified'

/** ferry.ledger (compacted, key `bucket/key/eTag`): the latest state of one version of one source object. */
export interface LedgerEntry {
  schema: 'ferry.ledger/v1'
  bucket: string
  key: string
  eTag?: string
  versionId?: string
  size: number
  dataset: string | null
  eventTime?: string
  eventDate: string
  state: LedgerState
  runId: string
  replay?: true
  attempts: number
  enqueued: number
  skipped: number
  lastError: { code: string; message: string } | null
  quality?: 'pass' | 'fail'
  position?: { topic: string; partition: number; offset: string }
  result?: FileResult
  timestamps: Partial<Record<'received' | 'queued' | 'processing' | 'processed' | 'qualified' | 'skipped', string>>
  updatedAt: string
}

/** ferry.dlq: something Ferry could not process, kept with the reason. */
export interface DeadLetter {
  schema: 'ferry.dlq/v1'
  stage: 'drain' | 'work'
  runId: string
  reason: string
  error: { code: string; message: string }
  body?: string
  object?: ObjectMessage
  attempts?: number
  deadLetteredAt: string
}

// ajv-formats is CommonJS; under NodeNext its default export arrives as the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv
const ajv = addFormats(new Ajv({ allErrors: true, strict: false }))

export const validators = {
  object: ajv.compile<ObjectMessage>(objectSchema),
  fileResult: ajv.compile<FileResult>(fileResultSchema),
  qualityEvent: ajv.compile<QualityMessage>(qualityEventSchema),
  deadLetter: ajv.compile<DeadLetter>(dlqSchema),
  ledger: ajv.compile<LedgerEntry>(ledgerSchema),
}

/** Serialises a message after checking it against its schema: Ferry never emits what it would reject. */
export function encodeMessage<T>(validate: ValidateFunction<T>, message: T): Buffer {
  assertValid(validate, message)
  return Buffer.from(JSON.stringify(message))
}

/** Parses and validates a message; a bad one is a FERRY_VALIDATION error naming every problem. */
export function decodeMessage<T>(validate: ValidateFunction<T>, bytes: Buffer | string): T {
  let value: unknown
  try {
    value = JSON.parse(bytes.toString())
  } catch (err) {
    throw new FerryError('FERRY_VALIDATION', 'message is not JSON', { cause: err })
  }
  assertValid(validate, value)
  return value
}

function assertValid<T>(validate: ValidateFunction<T>, value: unknown): asserts value is T {
  if (validate(value)) return
  const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')
  const id = typeof validate.schema === 'object' ? validate.schema.$id : undefined
  throw new FerryError('FERRY_VALIDATION', `message does not match ${id ?? 'its schema'}: ${problems}`)
}
