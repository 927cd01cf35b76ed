import { type FetchPartitionResponse, type FetchRequest, type FetchResponse, fetch } from '../apis/fetch.js'
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets } from '../apis/list-offsets.js'
import type { BrokerCore } from '../broker.js'
import type { PartitionLog } from '../log.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { endpoint } from './endpoint.js'

interface Collected {
  response: FetchResponse
  bytes: number
  failed: boolean
  logs: PartitionLog[]
}

/** Reads what is available now, within max_bytes; the first batch always fits (KIP-74). */
function collect(core: BrokerCore, request: FetchRequest): Collected {
  let remaining = Math.max(request.maxBytes, 0)
  let bytes = 0
  let failed = false
  const logs: PartitionLog[] = []
  const topics = request.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p): FetchPartitionResponse => {
      const log = core.topics.partition(t.name, p.index)
      const base = { index: p.index, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, records: [] }
      if (!log) {
        failed = true
        return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }
      }
      logs.push(log)
      const offsets = {
        highWatermark: log.highWatermark,
        lastStableOffset: log.highWatermark,
        logStartOffset: log.logStartOffset,
      }
      if (p.fetchOffset < log.logStartOffset || p.fetchOffset > log.highWatermark) {
        failed = true
        return { ...base, ...offsets, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE }
      }
      const records = log.read(
        p.fetchOffset,
        Math.min(p.partitionMaxBytes, remaining),
        bytes === 0 ? Number.POSITIVE_INFINITY : remaining,
      )
      for (const batch of records) bytes += batch.length
      remaining = Math.max(request.maxBytes - bytes, 0)
      return { ...base, ...offsets, errorCode: ErrorCode.NONE, records }
    }),
  }))
  return { response: { errorCode: ErrorCode.NONE, topics }, bytes, failed, logs }
}

/** Resolves on the first append to any of `logs`, after `ms`, or when `signal` aborts. */
function waitForData(logs: PartitionLog[], ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribes: Array<() => void> = []
    const done = () => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      for (const unsubscribe of unsubscribes) unsubscribe()
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done)
    for (const log of logs) unsubscribes.push(log.onAppend(done))
  })
}

/**
 * Fetch with long polling: answers once min_bytes are available, on any partition error, or when
 * max_wait_ms runs out, and is woken by appends in between.
 */
export const fetchEndpoint = endpoint(fetch, async (request, _version, core, connection) => {
  // Only full fetches: a client asking to continue a session (KIP-227) is told it does not exist.
  if (request.sessionId !== 0 || request.sessionEpoch > 0) {
    return fetch.errorResponse(ErrorCode.FETCH_SESSION_ID_NOT_FOUND)
  }
  const deadline = Date.now() + Math.max(request.maxWaitMs, 0)
  for (;;) {
    const collected = collect(core, request)
    const wait = deadline - Date.now()
    if (collected.bytes >= request.minBytes || collected.failed || wait <= 0 || connection.signal.aborted) {
      return collected.response
    }
    await waitForData(collected.logs, wait, connection.signal)
  }
})

export const listOffsetsEndpoint = endpoint(listOffsets, (request, _version, core) => ({
  topics: request.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => {
      const log = core.topics.partition(t.name, p.index)
      if (!log) return { index: p.index, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, timestamp: -1, offset: -1 }
      const found =
        p.timestamp === LATEST_TIMESTAMP
          ? { offset: log.highWatermark, timestamp: -1 }
          : p.timestamp === EARLIEST_TIMESTAMP
            ? { offset: log.logStartOffset, timestamp: -1 }
            : (log.offsetForTimestamp(p.timestamp) ?? { offset: -1, timestamp: -1 })
      return { index: p.index, errorCode: ErrorCode.NONE, ...found }
    }),
  })),
}))
