import { describe, expect, it } from 'vitest'
import { ProducerStates } from '../../../src/broker/producer-state.js'
import { ErrorCode } from '../../../src/broker/protocol/error-codes.js'
import type { BatchHeader } from '../../../src/broker/protocol/record-batch.js'

function batch(producerId: number, producerEpoch: number, baseSequence: number, records = 1): BatchHeader {
  return {
    baseOffset: 0,
    batchLength: 0,
    partitionLeaderEpoch: 0,
    magic: 2,
    crc: 0,
    attributes: 0,
    lastOffsetDelta: records - 1,
    baseTimestamp: 0,
    maxTimestamp: 0,
    producerId,
    producerEpoch,
    baseSequence,
    recordCount: records,
  }
}

/** Checks and, when the verdict is append, records at `offset` like the produce path does. */
function offer(states: ProducerStates, header: BatchHeader, offset: number) {
  const check = states.check(header)
  if (check.outcome === 'append') states.record(header, offset)
  return check
}

describe('ProducerStates (idempotent producer sequences)', () => {
  it('always appends batches from non-idempotent producers', () => {
    const states = new ProducerStates()
    expect(offer(states, batch(-1, -1, -1), 0).outcome).toBe('append')
    expect(offer(states, batch(-1, -1, -1), 1).outcome).toBe('append')
  })

  it('accepts consecutive sequences and acknowledges a retried batch with its original offset', () => {
    const states = new ProducerStates()
    expect(offer(states, batch(7, 0, 0, 3), 100).outcome).toBe('append')
    expect(offer(states, batch(7, 0, 3, 2), 103).outcome).toBe('append')
    expect(offer(states, batch(7, 0, 0, 3), 999)).toEqual({ outcome: 'duplicate', baseOffset: 100 })
    expect(offer(states, batch(7, 0, 3, 2), 999)).toEqual({ outcome: 'duplicate', baseOffset: 103 })
    expect(offer(states, batch(7, 0, 5), 105).outcome).toBe('append')
  })

  it('rejects gaps, a first batch not starting at 0, and fenced epochs', () => {
    const states = new ProducerStates()
    expect(offer(states, batch(1, 0, 4), 0)).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER })
    offer(states, batch(1, 0, 0), 0)
    expect(offer(states, batch(1, 0, 2), 1)).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER })
    expect(offer(states, batch(1, 1, 0), 1).outcome).toBe('append')
    expect(offer(states, batch(1, 0, 1), 2)).toMatchObject({ errorCode: ErrorCode.INVALID_PRODUCER_EPOCH })
    expect(offer(states, batch(1, 2, 9), 2)).toMatchObject({ errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER })
  })

  it('remembers only the last five batches for duplicate detection', () => {
    const states = new ProducerStates()
    for (let seq = 0; seq < 6; seq++) offer(states, batch(3, 0, seq), seq)
    expect(offer(states, batch(3, 0, 1), 99)).toEqual({ outcome: 'duplicate', baseOffset: 1 })
    expect(offer(states, batch(3, 0, 0), 99).outcome).toBe('reject')
  })

  it('wraps sequence numbers after 2^31-1, as Kafka does', () => {
    // Replay a state whose last batch ends at MAX-1, then cross the boundary.
    const nearEnd = new ProducerStates()
    nearEnd.record(batch(5, 0, 2147483640, 7), 0) // sequences 2147483640..2147483646
    expect(nearEnd.check(batch(5, 0, 2147483647, 3)).outcome).toBe('append')
    nearEnd.record(batch(5, 0, 2147483647, 3), 7) // 2147483647, 0, 1
    expect(nearEnd.check(batch(5, 0, 2)).outcome).toBe('append')
  })

  it('reports the highest producer id it has seen', () => {
    const states = new ProducerStates()
    expect(states.maxProducerId()).toBe(-1)
    states.record(batch(12, 0, 0), 0)
    states.record(batch(4, 0, 0), 1)
    expect(states.maxProducerId()).toBe(12)
  })
})
