import type { FileResult, QualityEvent } from '../../../../src/core/messages.js'
import { checkFile, DEFAULT_THRESHOLDS, qualityEvent } from '../../../../src/core/quality.js'
import { createLogger, type Logger } from '../../../../src/ops/logger.js'

/** The secret parts of the planted URLs: nothing a test captures may contain them. */
export const SLACK_SECRET = 'SECRETxyz'
export const SLACK_PATH = `/services/T000/B000/${SLACK_SECRET}`
export const PING_SECRET = 'PINGsecret-5f0c2d'

/** A real Ferry logger (redaction and serializers included) writing JSON lines to memory. */
export function memoryLogger(): { logger: Logger; lines: () => Array<Record<string, unknown>>; text: () => string } {
  const chunks: string[] = []
  const logger = createLogger({
    level: 'debug',
    destination: {
      write: (line: string) => {
        chunks.push(line)
      },
    },
  })
  return {
    logger,
    text: () => chunks.join(''),
    lines: () => chunks.map((c) => JSON.parse(c) as Record<string, unknown>),
  }
}

/** How a file goes wrong, through the real checks: `dead` fails processing, `lossy` row_ratio and rejected_rate, `empty` non_empty and row_ratio. */
export type Mode = 'ok' | 'dead' | 'lossy' | 'empty'

export function event(dataset: string, key: string, mode: Mode, runId = 'run-20261124T000100Z-abc123'): QualityEvent {
  const rows = {
    ok: { rowsIn: 100, rowsOut: 100, rowsRejected: 0 },
    dead: { rowsIn: 0, rowsOut: 0, rowsRejected: 0 },
    lossy: { rowsIn: 100, rowsOut: 80, rowsRejected: 20 },
    empty: { rowsIn: 0, rowsOut: 0, rowsRejected: 0 },
  }[mode]
  const result: FileResult = {
    schema: 'ferry.file-result/v1',
    runId,
    traceId: '0123456789abcdef0123456789abcdef',
    dataset,
    source: { bucket: 'landing', key, uri: `s3://landing/${key}`, size: 10 },
    status: mode === 'dead' ? 'dead-lettered' : mode === 'lossy' ? 'quarantined' : 'written',
    ...rows,
    bytesIn: 10,
    bytesOut: 10,
    durationsMs: { total: 1 },
    output: mode === 'dead' ? null : `gs://lake/${dataset}/${key}.parquet`,
    quarantine: mode === 'lossy' ? `gs://lake/quarantine/${key}.jsonl` : null,
    firstErrors: [],
    error: mode === 'dead' ? { code: 'FERRY_FORMAT', message: 'bad magic bytes', retryable: false } : null,
    attempts: 1,
    eventDate: '2026-11-23',
    processedAt: '2026-11-24T00:01:00.000Z',
  }
  return qualityEvent(result, checkFile(result, DEFAULT_THRESHOLDS), new Date('2026-11-24T00:02:00.000Z'))
}
