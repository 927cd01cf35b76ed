import type { ApiVersionRange } from '../apis/api-versions.js'
import { apiVersions } from '../apis/api-versions.js'
import { ErrorCode } from '../protocol/error-codes.js'
import { type Endpoint, endpoint } from './endpoint.js'
import { fetchEndpoint, listOffsetsEndpoint } from './fetch.js'
import {
  deleteGroupsEndpoint,
  describeGroupsEndpoint,
  findCoordinatorEndpoint,
  heartbeatEndpoint,
  joinGroupEndpoint,
  leaveGroupEndpoint,
  listGroupsEndpoint,
  offsetCommitEndpoint,
  offsetFetchEndpoint,
  syncGroupEndpoint,
} from './groups.js'
import { initProducerIdEndpoint, produceEndpoint } from './produce.js'
import { createTopicsEndpoint, deleteTopicsEndpoint, metadataEndpoint } from './topics.js'

const served: Endpoint[] = [
  produceEndpoint,
  fetchEndpoint,
  listOffsetsEndpoint,
  metadataEndpoint,
  offsetCommitEndpoint,
  offsetFetchEndpoint,
  findCoordinatorEndpoint,
  joinGroupEndpoint,
  heartbeatEndpoint,
  leaveGroupEndpoint,
  syncGroupEndpoint,
  describeGroupsEndpoint,
  listGroupsEndpoint,
  createTopicsEndpoint,
  deleteTopicsEndpoint,
  initProducerIdEndpoint,
  deleteGroupsEndpoint,
]

/** What ApiVersions advertises: exactly the endpoints below, nothing more. */
export const SUPPORTED_VERSIONS: ApiVersionRange[] = [...served, apiVersions]
  .map((e) => ({ apiKey: e.key, minVersion: e.minVersion, maxVersion: e.maxVersion }))
  .sort((a, b) => a.apiKey - b.apiKey)

const apiVersionsEndpoint = endpoint(apiVersions, () => ({ errorCode: ErrorCode.NONE, apiKeys: SUPPORTED_VERSIONS }))

export const ENDPOINTS: ReadonlyMap<number, Endpoint> = new Map([...served, apiVersionsEndpoint].map((e) => [e.key, e]))
