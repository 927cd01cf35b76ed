import { COORDINATOR_KEY_GROUP, findCoordinator } from '../apis/find-coordinator.js'
import { deleteGroups, describeGroups, listGroups } from '../apis/group-admin.js'
import { heartbeat, joinGroup, leaveGroup, syncGroup } from '../apis/group-membership.js'
import { offsetCommit, offsetFetch } from '../apis/offsets.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { StorageError } from '../storage.js'
import { endpoint } from './endpoint.js'

export const findCoordinatorEndpoint = endpoint(findCoordinator, (request, _version, core) => {
  if (request.keyType !== COORDINATOR_KEY_GROUP) {
    return {
      ...findCoordinator.errorResponse(ErrorCode.INVALID_REQUEST),
      errorMessage: 'transactions are not supported by the embedded broker',
    }
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null, nodeId: core.nodeId, host: core.host, port: core.port }
})

export const joinGroupEndpoint = endpoint(joinGroup, (request, _version, core, connection) =>
  core.groups.join({ ...request, clientId: connection.clientId, clientHost: connection.clientHost }),
)

export const syncGroupEndpoint = endpoint(syncGroup, (request, _version, core) => core.groups.sync(request))

export const heartbeatEndpoint = endpoint(heartbeat, (request, _version, core) => ({
  errorCode: core.groups.heartbeat(request.groupId, request.generationId, request.memberId),
}))

export const leaveGroupEndpoint = endpoint(leaveGroup, (request, _version, core) =>
  core.groups.leave(request.groupId, request.memberIds),
)

export const offsetCommitEndpoint = endpoint(offsetCommit, (request, _version, core) => {
  const allowed = core.groups.checkCommit(request.groupId, request.generationId, request.memberId)
  return {
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) => {
        if (allowed !== ErrorCode.NONE) return { index: p.index, errorCode: allowed }
        if (!core.topics.partition(t.name, p.index)) {
          return { index: p.index, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }
        }
        try {
          core.offsets.commit(request.groupId, t.name, p.index, p.offset, p.metadata)
        } catch (err) {
          if (!(err instanceof StorageError)) throw err
          core.logger.error({ err, group: request.groupId }, 'offset commit failed')
          return { index: p.index, errorCode: ErrorCode.KAFKA_STORAGE_ERROR }
        }
        return { index: p.index, errorCode: ErrorCode.NONE }
      }),
    })),
  }
})

export const offsetFetchEndpoint = endpoint(offsetFetch, (request, _version, core) => {
  const committed = core.offsets.committed(request.groupId)
  const requested =
    request.topics ??
    [...committed].map(([name, partitions]) => ({ name, partitions: [...partitions.keys()].sort((a, b) => a - b) }))
  return {
    errorCode: ErrorCode.NONE,
    topics: requested.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((index) => {
        const offset = committed.get(t.name)?.get(index)
        // Kafka's "no offset": -1 with empty metadata and no error.
        return { index, offset: offset?.offset ?? -1, metadata: offset?.metadata ?? '', errorCode: ErrorCode.NONE }
      }),
    })),
  }
})

export const describeGroupsEndpoint = endpoint(describeGroups, (request, _version, core) => ({
  groups: request.groupIds.map((groupId) => core.groups.describe(groupId)),
}))

export const listGroupsEndpoint = endpoint(listGroups, (_request, _version, core) => ({
  errorCode: ErrorCode.NONE,
  groups: core.groups.list(),
}))

export const deleteGroupsEndpoint = endpoint(deleteGroups, (request, _version, core) => ({
  results: request.groupIds.map((groupId) => ({ groupId, errorCode: core.groups.delete(groupId) })),
}))
