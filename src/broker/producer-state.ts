import { ErrorCode } from './protocol/error-codes.js'
import type { BatchHeader } from './protocol/record-batch.js'

/** How many recent batches per producer are remembered for duplicate detection: Kafka's max in-flight for idempotence. */
const DEDUPE_WINDOW = 5
const MAX_SEQUENCE = 0x7fffffff

interface AppendedBatch {
  firstSequence: number
  lastSequence: number
  baseOffset: number
}

interface ProducerEntry {
  epoch: number
  recent: AppendedBatch[]
}

export type SequenceCheck =
  | { outcome: 'append' }
  | { outcome: 'duplicate'; baseOffset: number }
  | { outcome: 'reject'; errorCode: number; message: string }

const APPEND: SequenceCheck = { outcome: 'append' }

/**
 * Per-partition idempotent-producer state (KIP-98): batches from one producer must arrive with
 * consecutive sequence numbers. A retry of one of the last five batches is a duplicate: it is
 * acknowledged with its original offset and not written again, so client retries never duplicate.
 */
export class ProducerStates {
  private readonly producers = new Map<number, ProducerEntry>()

  check(batch: BatchHeader): SequenceCheck {
    if (batch.producerId < 0) return APPEND
    const entry = this.producers.get(batch.producerId)
    const lastSequence = addSequence(batch.baseSequence, batch.lastOffsetDelta)
    if (entry === undefined || batch.producerEpoch > entry.epoch) {
      return batch.baseSequence === 0
        ? APPEND
        : outOfOrder(
            `first batch of producer ${batch.producerId} epoch ${batch.producerEpoch} has sequence ${batch.baseSequence}, expected 0`,
          )
    }
    if (batch.producerEpoch < entry.epoch) {
      return {
        outcome: 'reject',
        errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
        message: `producer epoch ${batch.producerEpoch} is older than ${entry.epoch}`,
      }
    }
    const duplicate = entry.recent.find(
      (b) => b.firstSequence === batch.baseSequence && b.lastSequence === lastSequence,
    )
    if (duplicate) return { outcome: 'duplicate', baseOffset: duplicate.baseOffset }
    const expected = addSequence(entry.recent[entry.recent.length - 1]!.lastSequence, 1)
    if (batch.baseSequence !== expected) {
      return outOfOrder(`sequence ${batch.baseSequence} from producer ${batch.producerId}, expected ${expected}`)
    }
    return APPEND
  }

  /** Records an appended batch (also used while replaying a recovered log). */
  record(batch: BatchHeader, baseOffset: number): void {
    if (batch.producerId < 0) return
    let entry = this.producers.get(batch.producerId)
    if (entry === undefined || batch.producerEpoch !== entry.epoch) {
      entry = { epoch: batch.producerEpoch, recent: [] }
      this.producers.set(batch.producerId, entry)
    }
    entry.recent.push({
      firstSequence: batch.baseSequence,
      lastSequence: addSequence(batch.baseSequence, batch.lastOffsetDelta),
      baseOffset,
    })
    if (entry.recent.length > DEDUPE_WINDOW) entry.recent.shift()
  }

  /** Highest producer id seen, so a restarted broker never hands out an id already in its logs. */
  maxProducerId(): number {
    let max = -1
    for (const id of this.producers.keys()) max = Math.max(max, id)
    return max
  }
}

/** Sequences are int32 and wrap to 0 after 2^31-1, as in Kafka. */
function addSequence(sequence: number, increment: number): number {
  return sequence > MAX_SEQUENCE - increment ? increment - (MAX_SEQUENCE - sequence) - 1 : sequence + increment
}

function outOfOrder(message: string): SequenceCheck {
  return { outcome: 'reject', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, message }
}
