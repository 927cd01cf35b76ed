import { UsageError } from '../../errors.js'

/** Where one partition of the topic stands for the group. */
export interface PartitionState {
  partition: number
  /** log start offset */
  low: bigint
  /** log end offset (high watermark) */
  high: bigint
  /** the group's committed offset; null when it never committed on this partition */
  committed: bigint | null
}

/** Where to move the group, as `kafka-consumer-groups --reset-offsets` names it. */
export type ReplayTarget =
  | { kind: 'offset'; offset: bigint }
  | { kind: 'shift'; by: bigint }
  | { kind: 'earliest' }
  /** per partition, the first offset at or after a time, as the broker resolved it */
  | { kind: 'time'; offsets: ReadonlyMap<number, bigint> }

export interface PartitionPlan {
  partition: number
  committed: bigint | null
  /** where the group resumes today: the committed offset, or the log start when there is none */
  position: bigint
  target: bigint
  high: bigint
  /** messages the group already processed and will process again */
  reprocess: bigint
  /** messages not processed yet that the group will now never process */
  skip: bigint
}

export interface ReplayPlan {
  partitions: PartitionPlan[]
  reprocess: bigint
  skip: bigint
}

/**
 * The offsets a replay sets, per partition, with exact counts. Pure: the caller fetches the offsets.
 * Every target is clamped to [log start, log end], as Kafka does; `partition` limits the plan to one.
 * Counts are offsets: exact for ferry.objects, which is neither compacted nor transactional.
 */
export function planReplay(states: readonly PartitionState[], target: ReplayTarget, partition?: number): ReplayPlan {
  const chosen = partition === undefined ? states : states.filter((s) => s.partition === partition)
  if (chosen.length === 0) {
    const known = states.map((s) => s.partition).join(', ')
    throw new UsageError(`partition ${partition} does not exist (partitions: ${known || 'none'})`)
  }
  const partitions = [...chosen]
    .sort((a, b) => a.partition - b.partition)
    .map((state): PartitionPlan => {
      // A consumer resumes at its committed offset; without one (or below the log start after
      // retention) Ferry's consumers start at the log start.
      const position = clamp(state.committed ?? state.low, state.low, state.high)
      const wanted = targetOffset(state, position, target)
      const next = clamp(wanted, state.low, state.high)
      return {
        partition: state.partition,
        committed: state.committed,
        position,
        target: next,
        high: state.high,
        reprocess: position > next ? position - next : 0n,
        skip: next > position ? next - position : 0n,
      }
    })
  return {
    partitions,
    reprocess: partitions.reduce((n, p) => n + p.reprocess, 0n),
    skip: partitions.reduce((n, p) => n + p.skip, 0n),
  }
}

function targetOffset(state: PartitionState, position: bigint, target: ReplayTarget): bigint {
  switch (target.kind) {
    case 'offset':
      return target.offset
    case 'shift':
      return position + target.by
    case 'earliest':
      return state.low
    case 'time':
      // The broker answers "no record that late" with the log end.
      return target.offsets.get(state.partition) ?? state.high
  }
}

export function clamp(value: bigint, low: bigint, high: bigint): bigint {
  return value < low ? low : value > high ? high : value
}
