import type { GroupProtocol, JoinGroupRequest, JoinGroupResponse, SyncGroupResponse } from './apis/group-membership.js'

// The group coordinator's data and the pure rules over it (protocol choice and comparison);
// the state machine that drives it is in groups.ts.

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable'

export interface JoinParams extends JoinGroupRequest {
  clientId: string
  clientHost: string
}

export interface Member {
  memberId: string
  clientId: string
  clientHost: string
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  protocols: GroupProtocol[]
  assignment: Buffer
  awaitingJoin: ((response: JoinGroupResponse) => void) | null
  awaitingSync: ((response: SyncGroupResponse) => void) | null
  cancelSession: (() => void) | null
}

export interface Group {
  id: string
  state: GroupState
  generationId: number
  protocolType: string | null
  protocolName: string | null
  leaderId: string | null
  members: Map<string, Member>
  cancelRebalance: (() => void) | null
}

export const EMPTY = Buffer.alloc(0)

export function newGroup(id: string): Group {
  return {
    id,
    state: 'Empty',
    generationId: 0,
    protocolType: null,
    protocolName: null,
    leaderId: null,
    members: new Map(),
    cancelRebalance: null,
  }
}

/** Copies out of the request frame so the group does not pin whole network buffers. */
export function copyProtocols(protocols: GroupProtocol[]): GroupProtocol[] {
  return protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata) }))
}

export function sameProtocols(a: GroupProtocol[], b: GroupProtocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.metadata.equals(b[i]!.metadata))
}

/** Protocols every member other than `except` supports, in the order of the first such member. */
function candidateProtocols(group: Group, except?: Member): string[] | null {
  let candidates: string[] | null = null
  for (const member of group.members.values()) {
    if (member === except) continue
    const names = new Set(member.protocols.map((p) => p.name))
    candidates = (candidates ?? member.protocols.map((p) => p.name)).filter((name) => names.has(name))
  }
  return candidates
}

export function supportsProtocols(group: Group, p: JoinParams, except?: Member): boolean {
  const candidates = candidateProtocols(group, except)
  if (candidates === null) return true
  return p.protocolType === group.protocolType && p.protocols.some((proto) => candidates.includes(proto.name))
}

/** Kafka's vote: each member backs its most preferred common protocol; most votes wins. */
export function selectProtocol(group: Group): string {
  const candidates = candidateProtocols(group) ?? []
  const votes = new Map<string, number>()
  for (const member of group.members.values()) {
    const choice = member.protocols.find((p) => candidates.includes(p.name))
    if (choice) votes.set(choice.name, (votes.get(choice.name) ?? 0) + 1)
  }
  let best = candidates[0] ?? ''
  for (const name of candidates) if ((votes.get(name) ?? 0) > (votes.get(best) ?? 0)) best = name
  return best
}

export function protocolMetadata(member: Member, protocolName: string | null): Buffer {
  return member.protocols.find((p) => p.name === protocolName)?.metadata ?? EMPTY
}
