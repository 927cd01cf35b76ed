import { metadata, type TopicMetadata } from '../apis/metadata.js'
import { createTopics, deleteTopics } from '../apis/topics.js'
import { type BrokerCore, isTopicError } from '../broker.js'
import { ErrorCode } from '../protocol/error-codes.js'
import type { Topic } from '../topics.js'
import { endpoint } from './endpoint.js'

function describeTopic(core: BrokerCore, topic: Topic): TopicMetadata {
  const nodes = [core.nodeId]
  return {
    errorCode: ErrorCode.NONE,
    name: topic.name,
    partitions: topic.partitions.map((_, partitionIndex) => ({
      errorCode: ErrorCode.NONE,
      partitionIndex,
      leaderId: core.nodeId,
      replicaNodes: nodes,
      isrNodes: nodes,
    })),
  }
}

export const metadataEndpoint = endpoint(metadata, (request, _version, core) => {
  const topics =
    request.topics === null
      ? core.topics.all().map((topic) => describeTopic(core, topic))
      : request.topics.map((name) => {
          const found = core.topicFor(name, request.allowAutoTopicCreation)
          return isTopicError(found) ? { errorCode: found.errorCode, name, partitions: [] } : describeTopic(core, found)
        })
  return {
    brokers: [{ nodeId: core.nodeId, host: core.host, port: core.port }],
    clusterId: core.clusterId,
    controllerId: core.nodeId,
    topics,
  }
})

export const createTopicsEndpoint = endpoint(createTopics, (request, _version, core) => ({
  topics: request.topics.map((t) => {
    const fail = (errorCode: number, errorMessage: string) => ({ name: t.name, errorCode, errorMessage })
    if (t.replicationFactor !== -1 && t.replicationFactor !== 1) {
      return fail(
        ErrorCode.INVALID_REPLICATION_FACTOR,
        `replication factor ${t.replicationFactor}: there is one broker`,
      )
    }
    if (t.assignments.some((a) => a.brokerIds.some((id) => id !== core.nodeId))) {
      return fail(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `the only broker is ${core.nodeId}`)
    }
    const partitions = t.assignments.length > 0 ? t.assignments.length : t.numPartitions
    const problem = core.topicProblem(t.name, partitions)
    if (problem) return fail(problem.errorCode, problem.message)
    if (!request.validateOnly) core.createTopic(t.name, partitions)
    return { name: t.name, errorCode: ErrorCode.NONE, errorMessage: null }
  }),
}))

export const deleteTopicsEndpoint = endpoint(deleteTopics, (request, _version, core) => ({
  topics: request.names.map((name) => ({ name, errorCode: core.deleteTopic(name) })),
}))
