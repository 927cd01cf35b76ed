import type { Reader } from '../protocol/reader.js'
import type { Writer } from '../protocol/writer.js'
import type { ApiCodec } from './codec.js'

export interface GroupProtocol {
  name: string
  metadata: Buffer
}

export interface JoinGroupRequest {
  groupId: string
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  memberId: string
  groupInstanceId: string | null
  protocolType: string
  protocols: GroupProtocol[]
}

export interface JoinGroupMember {
  memberId: string
  groupInstanceId: string | null
  metadata: Buffer
}

export interface JoinGroupResponse {
  errorCode: number
  generationId: number
  protocolName: string
  leader: string
  memberId: string
  members: JoinGroupMember[]
}

/** JoinGroup v0-v5 (v0 has no rebalance timeout: the session timeout stands in, as in Kafka). */
export const joinGroup: ApiCodec<JoinGroupRequest, JoinGroupResponse> = {
  key: 11,
  name: 'JoinGroup',
  minVersion: 0,
  maxVersion: 5,
  parseRequest(r: Reader, version: number): JoinGroupRequest {
    const groupId = r.string()
    const sessionTimeoutMs = r.int32()
    return {
      groupId,
      sessionTimeoutMs,
      rebalanceTimeoutMs: version >= 1 ? r.int32() : sessionTimeoutMs,
      memberId: r.string(),
      groupInstanceId: version >= 5 ? r.nullableString() : null,
      protocolType: r.string(),
      protocols: r.array((r) => ({ name: r.string(), metadata: r.bytes() })),
    }
  },
  encodeResponse(w: Writer, version: number, response: JoinGroupResponse): void {
    if (version >= 2) w.int32(0)
    w.int16(response.errorCode).int32(response.generationId).string(response.protocolName)
    w.string(response.leader).string(response.memberId)
    w.array(response.members, (w, m) => {
      w.string(m.memberId)
      if (version >= 5) w.nullableString(m.groupInstanceId)
      w.bytes(m.metadata)
    })
  },
  errorResponse: (errorCode) => ({
    errorCode,
    generationId: -1,
    protocolName: '',
    leader: '',
    memberId: '',
    members: [],
  }),
}

export interface SyncGroupRequest {
  groupId: string
  generationId: number
  memberId: string
  assignments: Array<{ memberId: string; assignment: Buffer }>
}

export interface SyncGroupResponse {
  errorCode: number
  assignment: Buffer
}

/** SyncGroup v0-v3. */
export const syncGroup: ApiCodec<SyncGroupRequest, SyncGroupResponse> = {
  key: 14,
  name: 'SyncGroup',
  minVersion: 0,
  maxVersion: 3,
  parseRequest(r: Reader, version: number): SyncGroupRequest {
    const groupId = r.string()
    const generationId = r.int32()
    const memberId = r.string()
    if (version >= 3) r.nullableString() // group_instance_id: static membership is not implemented
    return {
      groupId,
      generationId,
      memberId,
      assignments: r.array((r) => ({ memberId: r.string(), assignment: r.bytes() })),
    }
  },
  encodeResponse(w: Writer, version: number, response: SyncGroupResponse): void {
    if (version >= 1) w.int32(0)
    w.int16(response.errorCode).bytes(response.assignment)
  },
  errorResponse: (errorCode) => ({ errorCode, assignment: Buffer.alloc(0) }),
}

export interface HeartbeatRequest {
  groupId: string
  generationId: number
  memberId: string
}

export interface ErrorOnlyResponse {
  errorCode: number
}

/** Heartbeat v0-v3. */
export const heartbeat: ApiCodec<HeartbeatRequest, ErrorOnlyResponse> = {
  key: 12,
  name: 'Heartbeat',
  minVersion: 0,
  maxVersion: 3,
  parseRequest(r: Reader, version: number): HeartbeatRequest {
    const request = { groupId: r.string(), generationId: r.int32(), memberId: r.string() }
    if (version >= 3) r.nullableString() // group_instance_id
    return request
  },
  encodeResponse(w: Writer, version: number, response: ErrorOnlyResponse): void {
    if (version >= 1) w.int32(0)
    w.int16(response.errorCode)
  },
  errorResponse: (errorCode) => ({ errorCode }),
}

export interface LeaveGroupRequest {
  groupId: string
  memberIds: string[]
}

export interface LeaveGroupResponse {
  errorCode: number
  members: Array<{ memberId: string; errorCode: number }>
}

/** LeaveGroup v0-v3 (v3 leaves several members at once and reports per member). */
export const leaveGroup: ApiCodec<LeaveGroupRequest, LeaveGroupResponse> = {
  key: 13,
  name: 'LeaveGroup',
  minVersion: 0,
  maxVersion: 3,
  parseRequest(r: Reader, version: number): LeaveGroupRequest {
    const groupId = r.string()
    if (version < 3) return { groupId, memberIds: [r.string()] }
    const memberIds = r.array((r) => {
      const memberId = r.string()
      r.nullableString() // group_instance_id
      return memberId
    })
    return { groupId, memberIds }
  },
  encodeResponse(w: Writer, version: number, response: LeaveGroupResponse): void {
    if (version >= 1) w.int32(0)
    if (version < 3) {
      w.int16(response.members[0]?.errorCode || response.errorCode)
      return
    }
    w.int16(response.errorCode)
    w.array(response.members, (w, m) => {
      w.string(m.memberId).nullableString(null).int16(m.errorCode)
    })
  },
  errorResponse: (errorCode) => ({ errorCode, members: [] }),
}
