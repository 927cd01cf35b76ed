/** The object stores, built from the configuration: one factory the composition root and the debug kit share. */
import { join } from 'node:path'
import type { FerryConfig } from '../config/load.js'
import { GcsObjectStore } from './gcs/object-store.js'
import { LocalObjectStore } from './local/object-store.js'
import { S3ObjectStore } from './s3/object-store.js'

export function awsClientConfig(config: FerryConfig) {
  return { region: config.aws.region, ...(config.aws.endpoint ? { endpoint: config.aws.endpoint } : {}) }
}

/** The S3 adapter for the config's endpoint and region: the source, and `s3://` URIs in the debug kit. */
export function s3Store(config: FerryConfig): S3ObjectStore {
  return new S3ObjectStore(awsClientConfig(config))
}

/** The GCS adapter for the config's endpoint and project: the output, and `gs://` URIs in the debug kit. */
export function gcsStore(config: FerryConfig): GcsObjectStore {
  return new GcsObjectStore({
    ...(config.gcs.projectId ? { projectId: config.gcs.projectId } : {}),
    ...(config.gcs.endpoint ? { apiEndpoint: config.gcs.endpoint } : {}),
  })
}

/** The local buckets under FERRY_HOME (`<home>/buckets/<bucket>`). */
export function localStore(config: FerryConfig): LocalObjectStore {
  return new LocalObjectStore({ root: join(config.home, 'buckets') })
}
