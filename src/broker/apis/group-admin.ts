import type { Reader } from '../protocol/reader.js'
import type { Writer } from '../protocol/writer.js'
import type { ApiCodec } from './codec.js'

export interface DescribedMember {
  memberId: string
  clientId: string
  clientHost: string
  metadata: Buffer
  assignment: Buffer
}

export interface DescribedGroup {
  errorCode: number
  groupId: string
  state: string
  protocolType: string
  protocolData: string
  members: DescribedMember[]
}

export interface DescribeGroupsRequest {
  groupIds: string[]
}

export interface DescribeGroupsResponse {
  groups: DescribedGroup[]
}

/** DescribeGroups v0-v4. Authorized operations (v3+) are reported as unknown (-2^31), as Kafka does when not asked. */
export const describeGroups: ApiCodec<DescribeGroupsRequest, DescribeGroupsResponse> = {
  key: 15,
  name: 'DescribeGroups',
  minVersion: 0,
  maxVersion: 4,
  parseRequest(r: Reader, version: number): DescribeGroupsRequest {
    const groupIds = r.array((r) => r.string())
    if (version >= 3) r.boolean() // include_authorized_operations: no ACLs
    return { groupIds }
  },
  encodeResponse(w: Writer, version: number, response: DescribeGroupsResponse): void {
    if (version >= 1) w.int32(0)
    w.array(response.groups, (w, g) => {
      w.int16(g.errorCode).string(g.groupId).string(g.state).string(g.protocolType).string(g.protocolData)
      w.array(g.members, (w, m) => {
        w.string(m.memberId)
        if (version >= 4) w.nullableString(null)
        w.string(m.clientId).string(m.clientHost).bytes(m.metadata).bytes(m.assignment)
      })
      if (version >= 3) w.int32(-2147483648)
    })
  },
  errorResponse: () => ({ groups: [] }),
}

export interface ListGroupsResponse {
  errorCode: number
  groups: Array<{ groupId: string; protocolType: string }>
}

/** ListGroups v0-v2. */
export const listGroups: ApiCodec<Record<string, never>, ListGroupsResponse> = {
  key: 16,
  name: 'ListGroups',
  minVersion: 0,
  maxVersion: 2,
  parseRequest: () => ({}),
  encodeResponse(w: Writer, version: number, response: ListGroupsResponse): void {
    if (version >= 1) w.int32(0)
    w.int16(response.errorCode)
    w.array(response.groups, (w, g) => {
      w.string(g.groupId).string(g.protocolType)
    })
  },
  errorResponse: (errorCode) => ({ errorCode, groups: [] }),
}

export interface DeleteGroupsRequest {
  groupIds: string[]
}

export interface DeleteGroupsResponse {
  results: Array<{ groupId: string; errorCode: number }>
}

/** DeleteGroups v0-v1. */
export const deleteGroups: ApiCodec<DeleteGroupsRequest, DeleteGroupsResponse> = {
  key: 42,
  name: 'DeleteGroups',
  minVersion: 0,
  maxVersion: 1,
  parseRequest: (r: Reader) => ({ groupIds: r.array((r) => r.string()) }),
  encodeResponse(w: Writer, _version: number, response: DeleteGroupsResponse): void {
    w.int32(0)
    w.array(response.results, (w, g) => {
      w.string(g.groupId).int16(g.errorCode)
    })
  },
  errorResponse: () => ({ results: [] }),
}
