/**
 * kafkajs logs through Ferry's logger at the level its message means to an operator, not the level
 * kafkajs gives it: kafkajs says ERROR for a group rebalancing, a coordinator or leader moving, and
 * for each connection attempt it is about to retry, which are how a cluster normally lives. `error`
 * must mean a person has to act (alarms count `{ $.level = "error" }`), so group and leader moves
 * become info and connection retries debug (client chatter); a consumer crash stays an error. What a
 * retry does not fix reaches the caller as an exception and is reported there, once, naming the
 * setting (see admin.ts `probe`).
 */
import { type LogEntry, logLevel } from 'kafkajs'
import type { Logger } from '../../ops/logger.js'

type Level = 'error' | 'warn' | 'info' | 'debug'

/** Group and cluster life: rebalances, generations, coordinator and leader moves, metadata catching up. */
const ROUTINE = [
  /rebalanc/i,
  /re-?join/i,
  /not.?coordinator|coordinator.?(not.?available|load.?in.?progress)|COORDINATOR/i,
  /The group is/i,
  /Member .* (joined|left)/i,
  /Heartbeat/i,
  /LEADER_NOT_AVAILABLE|NOT_LEADER|leader|UNKNOWN_TOPIC_OR_PARTITION|metadata/i,
]

/** Connection attempts kafkajs retries by itself: chatter until the caller gives up and says why. */
const CONNECTION = [
  /Connection (error|timeout)|ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket/i,
  /Failed to connect|seed broker/i,
  /retr(y|ies|ying)|REQUEST_TIMED_OUT|Request .* timed out/i,
]

/** Said on every start of an idempotent producer with a retry limit: a notice, not a warning. */
const NOTICES = [/Limiting retries for the idempotent producer/i]

export function kafkajsLevel(level: logLevel, message: string): Level {
  if (level === logLevel.ERROR || level === logLevel.WARN) {
    if (NOTICES.some((pattern) => pattern.test(message))) return 'debug'
    if (/crash/i.test(message)) return 'error'
    if (ROUTINE.some((pattern) => pattern.test(message))) return 'info'
    if (CONNECTION.some((pattern) => pattern.test(message))) return 'debug'
    return level === logLevel.ERROR ? 'error' : 'warn'
  }
  return 'debug'
}

/** A kafkajs `logCreator` writing to `logger` at the levels above. */
export function kafkajsLogCreator(logger: Logger) {
  return () => (entry: LogEntry) => {
    const { message, ...extra } = entry.log
    logger[kafkajsLevel(entry.level, message)]({ kafkajs: entry.namespace, ...extra }, message)
  }
}
