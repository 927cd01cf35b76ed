import { ProtocolError, UnsupportedError } from '../../errors.js'
import { initProducerId } from '../apis/init-producer-id.js'
import { type ProducePartitionResponse, produce } from '../apis/produce.js'
import { type BrokerCore, isTopicError } from '../broker.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { type BatchHeader, isControl, isTransactional, splitBatches, validateBatch } from '../protocol/record-batch.js'
import { StorageError } from '../storage.js'
import { endpoint } from './endpoint.js'

/** Decompression bound for validating gzip batches: a small bomb must not exhaust memory. */
const MAX_UNCOMPRESSED_BATCH = 64 * 1024 * 1024
const NO_TRANSACTIONS = 'transactions are not supported by the embedded broker'

function producePartition(
  core: BrokerCore,
  topicName: string,
  index: number,
  records: Buffer | null,
  transactional: boolean,
): ProducePartitionResponse {
  const result = (errorCode: number, baseOffset = -1, errorMessage: string | null = null) => ({
    index,
    errorCode,
    baseOffset,
    logStartOffset: 0,
    errorMessage,
  })
  const topic = core.topicFor(topicName, true)
  if (isTopicError(topic)) return result(topic.errorCode, -1, topic.message)
  const log = topic.partitions[index]
  if (!log) return result(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, -1, `${topicName} has no partition ${index}`)
  if (transactional) return result(ErrorCode.INVALID_REQUEST, -1, NO_TRANSACTIONS)
  let batches: Buffer[]
  let headers: BatchHeader[]
  try {
    batches = splitBatches(records ?? Buffer.alloc(0))
    if (batches.length === 0) throw new ProtocolError('no record batch')
    headers = batches.map((batch) => validateBatch(batch, MAX_UNCOMPRESSED_BATCH))
  } catch (err) {
    if (err instanceof UnsupportedError) return result(ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, -1, err.message)
    if (err instanceof ProtocolError) return result(ErrorCode.CORRUPT_MESSAGE, -1, err.message)
    throw err
  }
  if (headers.some((h) => isTransactional(h.attributes) || isControl(h.attributes))) {
    return result(ErrorCode.INVALID_REQUEST, -1, NO_TRANSACTIONS)
  }
  let baseOffset = -1
  for (const [i, header] of headers.entries()) {
    const check = log.producers.check(header)
    if (check.outcome === 'reject') return result(check.errorCode, -1, check.message)
    let offset: number
    if (check.outcome === 'duplicate') {
      offset = check.baseOffset
    } else {
      try {
        // Copied out of the request frame: the log owns it and stamps the offset into it.
        offset = log.append(Buffer.from(batches[i]!), header)
      } catch (err) {
        if (!(err instanceof StorageError)) throw err
        core.logger.error({ err, topic: topicName, partition: index }, 'append failed')
        return result(ErrorCode.KAFKA_STORAGE_ERROR, -1, err.message)
      }
    }
    if (i === 0) baseOffset = offset
  }
  return result(ErrorCode.NONE, baseOffset)
}

/**
 * Produce: every batch is validated and written before the response (acks 1 and -1 mean the same
 * on a single node). With acks=0 nothing is sent back, as the protocol requires.
 */
export const produceEndpoint = endpoint(produce, (request, _version, core) => {
  const validAcks = request.acks === 0 || request.acks === 1 || request.acks === -1
  const response = {
    topics: request.topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((p) =>
        validAcks
          ? producePartition(core, t.name, p.index, p.records, request.transactionalId !== null)
          : {
              index: p.index,
              errorCode: ErrorCode.INVALID_REQUIRED_ACKS,
              baseOffset: -1,
              logStartOffset: 0,
              errorMessage: `acks must be 0, 1 or -1, not ${request.acks}`,
            },
      ),
    })),
  }
  if (request.acks !== 0) return response
  const failed = response.topics.flatMap((t) => t.partitions.filter((p) => p.errorCode !== ErrorCode.NONE))
  if (failed.length > 0) core.logger.warn({ failed }, 'acks=0 produce failed; the client cannot be told')
  return null
})

export const initProducerIdEndpoint = endpoint(initProducerId, (request, _version, core) => {
  if (request.transactionalId !== null) return initProducerId.errorResponse(ErrorCode.INVALID_REQUEST)
  return { errorCode: ErrorCode.NONE, producerId: core.allocateProducerId(), producerEpoch: 0 }
})
