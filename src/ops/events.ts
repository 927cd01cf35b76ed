import { channel } from 'node:diagnostics_channel'
import type { FileResult, QualityMessage } from '../core/messages.js'

/**
 * Lifecycle events on node:diagnostics_channel. Publishing costs one `hasSubscribers` check when
 * nobody listens, so the consumers announce what they did without knowing about metrics, tracing
 * or anything else that may subscribe.
 */
export const channels = {
  /** a file finished in the worker: written, quarantined or dead-lettered */
  file: channel('ferry:file'),
  /** a quality event was published (any scope: file, night, notification) */
  quality: channel('ferry:quality'),
  /** the drain finished a batch */
  drain: channel('ferry:drain'),
  /** something went to ferry.dlq */
  deadLetter: channel('ferry:dead-letter'),
}

export interface DrainBatchEvent {
  messages: number
  objects: number
  duplicates: number
  skipped: number
  deadLettered: number
}

export interface DeadLetterEvent {
  stage: 'drain' | 'work'
  code: string
  /** how many records this event stands for (default 1) */
  count?: number
}

export function publishFile(result: FileResult): void {
  if (channels.file.hasSubscribers) channels.file.publish(result)
}

export function publishQuality(event: QualityMessage): void {
  if (channels.quality.hasSubscribers) channels.quality.publish(event)
}

export function publishDrain(batch: DrainBatchEvent): void {
  if (channels.drain.hasSubscribers) channels.drain.publish(batch)
}

export function publishDeadLetter(event: DeadLetterEvent): void {
  if (channels.deadLetter.hasSubscribers) channels.deadLetter.publish(event)
}
