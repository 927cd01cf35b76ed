import { FerryError } from '../../errors.js'
import { type PartitionState, planReplay, type ReplayPlan, type ReplayTarget } from './plan.js'

/** The Kafka operations a replay needs (KafkaAdmin in src/adapters/kafka/admin.ts). */
export interface ReplayAdmin {
  describeGroup(groupId: string): Promise<{ state: string; members: number }>
  topicOffsets(topic: string): Promise<Array<{ partition: number; low: bigint; high: bigint }>>
  committedOffsets(groupId: string, topic: string): Promise<Map<number, bigint | null>>
  offsetsForTime(topic: string, time: Date): Promise<Map<number, bigint>>
  setOffsets(groupId: string, topic: string, offsets: Array<{ partition: number; offset: bigint }>): Promise<void>
}

export type ReplayMode =
  | { kind: 'offset'; offset: bigint }
  | { kind: 'shift'; by: bigint }
  | { kind: 'earliest' }
  /** --to-datetime, or --by-duration resolved against now */
  | { kind: 'time'; at: Date }

export interface ReplayRequest {
  groupId: string
  topic: string
  mode: ReplayMode
  partition?: number
}

export type Prepared =
  | { kind: 'active'; state: string; members: number }
  | { kind: 'ready'; plan: ReplayPlan; states: PartitionState[] }

/** Kafka resets offsets only for a group without members; these states have none. */
const INACTIVE = new Set(['Empty', 'Dead'])

/**
 * Reads where the group stands and plans the reset. A group with running members is reported, not
 * planned: its offsets move under the plan, and a reset would be overwritten by their next commit.
 */
export async function prepareReplay(admin: ReplayAdmin, request: ReplayRequest): Promise<Prepared> {
  const group = await admin.describeGroup(request.groupId)
  if (!INACTIVE.has(group.state)) return { kind: 'active', ...group }
  const [ranges, committed] = await Promise.all([
    admin.topicOffsets(request.topic),
    admin.committedOffsets(request.groupId, request.topic),
  ])
  if (ranges.length === 0) throw new FerryError('FERRY_KAFKA', `topic ${request.topic} has no partitions`)
  const states = ranges.map((r) => ({ ...r, committed: committed.get(r.partition) ?? null }))
  const target: ReplayTarget =
    request.mode.kind === 'time'
      ? { kind: 'time', offsets: await admin.offsetsForTime(request.topic, request.mode.at) }
      : request.mode
  return { kind: 'ready', plan: planReplay(states, target, request.partition), states }
}

/** Commits the planned offsets, then reads them back: a reset that did not take is an error, not a surprise. */
export async function executeReplay(admin: ReplayAdmin, request: ReplayRequest, plan: ReplayPlan): Promise<void> {
  const offsets = plan.partitions.map((p) => ({ partition: p.partition, offset: p.target }))
  await admin.setOffsets(request.groupId, request.topic, offsets)
  const committed = await admin.committedOffsets(request.groupId, request.topic)
  const wrong = offsets.filter((o) => committed.get(o.partition) !== o.offset)
  if (wrong.length > 0) {
    throw new FerryError(
      'FERRY_KAFKA',
      `offsets of group ${request.groupId} did not change as planned on partition(s) ${wrong.map((o) => o.partition).join(', ')}`,
      { context: { group: request.groupId, topic: request.topic } },
    )
  }
}
