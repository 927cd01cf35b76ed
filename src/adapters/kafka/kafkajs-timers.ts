/**
 * kafkajs 2.2.4 (its last release) arms `setTimeout(throttledUntil - Date.now())` while no broker
 * throttles, with `throttledUntil` = -1: a negative delay. Node runs such a timer after 1 ms, as
 * kafkajs expects, but Node 24 also prints a TimeoutNegativeWarning on the stderr of every command.
 * This replaces that one method by kafkajs's own with the delay clamped to the 1 ms Node uses anyway.
 * Imported for its effect by every module that makes a kafkajs client.
 */
import { createRequire } from 'node:module'

interface RequestQueue {
  throttledUntil: number
  throttleCheckTimeoutId: NodeJS.Timeout | null
  pending: unknown[]
  checkPendingRequests(): void
}

/** kafkajs's CHECK_PENDING_REQUESTS_INTERVAL */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10

const RequestQueueClass = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as {
  prototype: RequestQueue & { scheduleCheckPendingRequests(): void }
}

RequestQueueClass.prototype.scheduleCheckPendingRequests = function (this: RequestQueue) {
  if (this.throttleCheckTimeoutId) return
  let scheduleAt = this.throttledUntil - Date.now()
  if (this.pending.length > 0 && scheduleAt <= 0) scheduleAt = CHECK_PENDING_REQUESTS_INTERVAL_MS
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null
      this.checkPendingRequests()
    },
    Math.max(1, scheduleAt),
  )
}
