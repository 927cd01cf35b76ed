import { randomUUID } from 'node:crypto'
import type { Logger } from '../ops/logger.js'
import type { DescribedGroup } from './apis/group-admin.js'
import type {
  JoinGroupResponse,
  LeaveGroupResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from './apis/group-membership.js'
import {
  copyProtocols,
  EMPTY,
  type Group,
  type JoinParams,
  type Member,
  newGroup,
  protocolMetadata,
  sameProtocols,
  selectProtocol,
  supportsProtocols,
} from './group-model.js'
import type { OffsetStore } from './group-offsets.js'
import { ErrorCode } from './protocol/error-codes.js'

/** Timers behind an interface so tests can drive session and rebalance timeouts deterministically. */
export interface Scheduler {
  schedule(delayMs: number, task: () => void): () => void
}

const realScheduler: Scheduler = {
  schedule(delayMs, task) {
    const timer = setTimeout(task, delayMs)
    timer.unref()
    return () => clearTimeout(timer)
  },
}

export interface CoordinatorOptions {
  offsets: OffsetStore
  logger: Logger
  scheduler?: Scheduler
  minSessionTimeoutMs?: number
  maxSessionTimeoutMs?: number
}

/**
 * The classic (pre-KIP-848) group coordinator: Empty -> PreparingRebalance (wait for every known
 * member to rejoin, up to the rebalance timeout) -> CompletingRebalance (wait for the leader's
 * assignment) -> Stable. Members that stop heartbeating for their session timeout are removed,
 * which starts a rebalance. Follows Kafka's GroupCoordinator; static membership is not implemented.
 */
export class GroupCoordinator {
  private readonly groups = new Map<string, Group>()
  private readonly offsets: OffsetStore
  private readonly logger: Logger
  private readonly scheduler: Scheduler
  private readonly minSessionTimeoutMs: number
  private readonly maxSessionTimeoutMs: number

  constructor(options: CoordinatorOptions) {
    this.offsets = options.offsets
    this.logger = options.logger
    this.scheduler = options.scheduler ?? realScheduler
    this.minSessionTimeoutMs = options.minSessionTimeoutMs ?? 1000
    this.maxSessionTimeoutMs = options.maxSessionTimeoutMs ?? 1_800_000
  }

  join(p: JoinParams): Promise<JoinGroupResponse> {
    const fail = (errorCode: number) => Promise.resolve(joinError(errorCode, p.memberId))
    if (p.groupId === '') return fail(ErrorCode.INVALID_GROUP_ID)
    if (p.sessionTimeoutMs < this.minSessionTimeoutMs || p.sessionTimeoutMs > this.maxSessionTimeoutMs) {
      return fail(ErrorCode.INVALID_SESSION_TIMEOUT)
    }
    if (p.protocolType === '' || p.protocols.length === 0) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    let group = this.groups.get(p.groupId)
    if (!group) {
      if (p.memberId !== '') return fail(ErrorCode.UNKNOWN_MEMBER_ID)
      group = newGroup(p.groupId)
      this.groups.set(p.groupId, group)
    }
    const existing = p.memberId === '' ? undefined : group.members.get(p.memberId)
    if (p.memberId !== '' && !existing) return fail(ErrorCode.UNKNOWN_MEMBER_ID)
    if (!supportsProtocols(group, p, existing)) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL)
    if (group.members.size === 0) group.protocolType = p.protocolType

    if (!existing) {
      const member: Member = {
        memberId: `${p.clientId}-${randomUUID()}`,
        clientId: p.clientId,
        clientHost: p.clientHost,
        sessionTimeoutMs: p.sessionTimeoutMs,
        rebalanceTimeoutMs: p.rebalanceTimeoutMs,
        protocols: copyProtocols(p.protocols),
        assignment: EMPTY,
        awaitingJoin: null,
        awaitingSync: null,
        cancelSession: null,
      }
      group.members.set(member.memberId, member)
      this.logger.debug({ group: group.id, member: member.memberId }, 'new group member')
      return this.awaitRebalance(group, member)
    }
    const unchanged = sameProtocols(existing.protocols, p.protocols)
    existing.sessionTimeoutMs = p.sessionTimeoutMs
    existing.rebalanceTimeoutMs = p.rebalanceTimeoutMs
    existing.protocols = copyProtocols(p.protocols)
    // A follower re-sending identical metadata after the rebalance gets the current generation back;
    // the leader rejoining, or anyone changing subscriptions, needs a new assignment.
    const rejoinOnly =
      (group.state === 'CompletingRebalance' && unchanged) ||
      (group.state === 'Stable' && unchanged && existing.memberId !== group.leaderId)
    if (rejoinOnly) {
      this.heartbeatMember(group, existing)
      return Promise.resolve(this.joinResponse(group, existing))
    }
    return this.awaitRebalance(group, existing)
  }

  private awaitRebalance(group: Group, member: Member): Promise<JoinGroupResponse> {
    return new Promise((resolve) => {
      member.awaitingJoin?.(joinError(ErrorCode.REBALANCE_IN_PROGRESS, member.memberId))
      member.awaitingJoin = resolve
      if (group.state === 'PreparingRebalance') this.maybeCompleteJoin(group)
      else this.prepareRebalance(group, `member ${member.memberId} joining`)
    })
  }

  private prepareRebalance(group: Group, reason: string): void {
    if (group.state === 'CompletingRebalance') {
      for (const member of group.members.values()) this.resolveSync(member, ErrorCode.REBALANCE_IN_PROGRESS)
    }
    group.state = 'PreparingRebalance'
    group.cancelRebalance?.()
    let timeoutMs = 0
    for (const member of group.members.values()) timeoutMs = Math.max(timeoutMs, member.rebalanceTimeoutMs)
    group.cancelRebalance = this.scheduler.schedule(timeoutMs, () => this.completeJoin(group))
    this.logger.debug({ group: group.id, reason, timeoutMs }, 'preparing rebalance')
    this.maybeCompleteJoin(group)
  }

  private maybeCompleteJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance') return
    for (const member of group.members.values()) if (!member.awaitingJoin) return
    this.completeJoin(group)
  }

  /** Ends the join phase: members that did not rejoin in time are dropped, the rest get the new generation. */
  private completeJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance') return
    group.cancelRebalance?.()
    group.cancelRebalance = null
    for (const member of group.members.values()) {
      if (!member.awaitingJoin) {
        member.cancelSession?.()
        group.members.delete(member.memberId)
        this.logger.info({ group: group.id, member: member.memberId }, 'member did not rejoin in time: removed')
      }
    }
    group.generationId++
    if (group.members.size === 0) {
      group.state = 'Empty'
      group.protocolName = null
      group.leaderId = null
      this.logger.info({ group: group.id, generationId: group.generationId }, 'group is empty')
      return
    }
    group.protocolName = selectProtocol(group)
    if (group.leaderId === null || !group.members.has(group.leaderId)) {
      group.leaderId = group.members.keys().next().value ?? null
    }
    group.state = 'CompletingRebalance'
    this.logger.info(
      { group: group.id, generationId: group.generationId, members: group.members.size, protocol: group.protocolName },
      'rebalance: join phase complete',
    )
    for (const member of group.members.values()) {
      const resolve = member.awaitingJoin!
      member.awaitingJoin = null
      resolve(this.joinResponse(group, member))
      this.heartbeatMember(group, member)
    }
  }

  private joinResponse(group: Group, member: Member): JoinGroupResponse {
    const isLeader = member.memberId === group.leaderId
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolName: group.protocolName ?? '',
      leader: group.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader
        ? [...group.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: null,
            metadata: protocolMetadata(m, group.protocolName),
          }))
        : [],
    }
  }

  sync(request: SyncGroupRequest): Promise<SyncGroupResponse> {
    const fail = (errorCode: number) => Promise.resolve({ errorCode, assignment: EMPTY })
    const group = this.groups.get(request.groupId)
    const member = group?.members.get(request.memberId)
    if (!group || !member) return fail(ErrorCode.UNKNOWN_MEMBER_ID)
    if (request.generationId !== group.generationId) return fail(ErrorCode.ILLEGAL_GENERATION)
    if (group.state === 'PreparingRebalance') return fail(ErrorCode.REBALANCE_IN_PROGRESS)
    this.heartbeatMember(group, member)
    if (group.state === 'Stable') return Promise.resolve({ errorCode: ErrorCode.NONE, assignment: member.assignment })
    return new Promise((resolve) => {
      member.awaitingSync = resolve
      if (member.memberId !== group.leaderId) return
      const assignments = new Map(request.assignments.map((a) => [a.memberId, a.assignment]))
      for (const m of group.members.values()) m.assignment = Buffer.from(assignments.get(m.memberId) ?? EMPTY)
      group.state = 'Stable'
      this.logger.info({ group: group.id, generationId: group.generationId }, 'group is stable')
      for (const m of group.members.values()) this.resolveSync(m, ErrorCode.NONE)
    })
  }

  private resolveSync(member: Member, errorCode: number): void {
    const resolve = member.awaitingSync
    if (!resolve) return
    member.awaitingSync = null
    resolve({ errorCode, assignment: errorCode === ErrorCode.NONE ? member.assignment : EMPTY })
  }

  heartbeat(groupId: string, generationId: number, memberId: string): number {
    const group = this.groups.get(groupId)
    const member = group?.members.get(memberId)
    if (!group || !member) return ErrorCode.UNKNOWN_MEMBER_ID
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION
    this.heartbeatMember(group, member)
    return group.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE
  }

  leave(groupId: string, memberIds: string[]): LeaveGroupResponse {
    const group = this.groups.get(groupId)
    const members = memberIds.map((memberId) => {
      const member = group?.members.get(memberId)
      if (!group || !member) return { memberId, errorCode: ErrorCode.UNKNOWN_MEMBER_ID }
      this.removeMember(group, member, 'left the group')
      return { memberId, errorCode: ErrorCode.NONE }
    })
    return { errorCode: ErrorCode.NONE, members }
  }

  /** Whether a commit with this generation and member may write offsets (Kafka's handleCommitOffsets rules). */
  checkCommit(groupId: string, generationId: number, memberId: string): number {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID
    const group = this.groups.get(groupId)
    // Offsets from outside group management: allowed while no consumer group is running.
    if (generationId < 0 && (!group || group.state === 'Empty')) return ErrorCode.NONE
    if (!group) return ErrorCode.ILLEGAL_GENERATION
    if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS
    const member = group.members.get(memberId)
    if (!member) return ErrorCode.UNKNOWN_MEMBER_ID
    if (generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION
    this.heartbeatMember(group, member)
    return ErrorCode.NONE
  }

  describe(groupId: string): DescribedGroup {
    const group = this.groups.get(groupId)
    if (!group) {
      const state = this.offsets.has(groupId) ? 'Empty' : 'Dead'
      return { errorCode: ErrorCode.NONE, groupId, state, protocolType: '', protocolData: '', members: [] }
    }
    // As in Kafka, metadata and assignments are only meaningful (and only shown) once Stable.
    const stable = group.state === 'Stable'
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocolData: stable ? (group.protocolName ?? '') : '',
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? protocolMetadata(m, group.protocolName) : EMPTY,
        assignment: stable ? m.assignment : EMPTY,
      })),
    }
  }

  list(): Array<{ groupId: string; protocolType: string }> {
    const ids = new Set([...this.groups.keys(), ...this.offsets.groupIds()])
    return [...ids].map((groupId) => ({ groupId, protocolType: this.groups.get(groupId)?.protocolType ?? '' }))
  }

  delete(groupId: string): number {
    const group = this.groups.get(groupId)
    if (group && group.members.size > 0) return ErrorCode.NON_EMPTY_GROUP
    if (!group && !this.offsets.has(groupId)) return ErrorCode.GROUP_ID_NOT_FOUND
    this.offsets.deleteGroup(groupId)
    this.groups.delete(groupId)
    this.logger.info({ group: groupId }, 'deleted group')
    return ErrorCode.NONE
  }

  private heartbeatMember(group: Group, member: Member): void {
    member.cancelSession?.()
    member.cancelSession = this.scheduler.schedule(member.sessionTimeoutMs, () => {
      if (group.members.get(member.memberId) !== member) return
      // A member parked in a join or sync is alive by definition; the rebalance timeout bounds the wait.
      if (member.awaitingJoin || member.awaitingSync) this.heartbeatMember(group, member)
      else this.removeMember(group, member, 'session timeout')
    })
  }

  private removeMember(group: Group, member: Member, reason: string): void {
    member.cancelSession?.()
    group.members.delete(member.memberId)
    this.logger.info({ group: group.id, member: member.memberId, reason }, 'member removed')
    member.awaitingJoin?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId))
    member.awaitingJoin = null
    this.resolveSync(member, ErrorCode.UNKNOWN_MEMBER_ID)
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') this.prepareRebalance(group, reason)
    else this.maybeCompleteJoin(group)
  }

  /** Stops every timer and releases parked joins and syncs; used when the broker shuts down. */
  close(): void {
    for (const group of this.groups.values()) {
      group.cancelRebalance?.()
      for (const member of group.members.values()) {
        member.cancelSession?.()
        member.awaitingJoin?.(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, member.memberId))
        member.awaitingJoin = null
        this.resolveSync(member, ErrorCode.COORDINATOR_NOT_AVAILABLE)
      }
    }
    this.groups.clear()
  }
}

function joinError(errorCode: number, memberId: string): JoinGroupResponse {
  return { errorCode, generationId: -1, protocolName: '', leader: '', memberId, members: [] }
}
