/** Addresses of the local servers the integration global setup started, handed to tests with `inject`. */
export interface TestEndpoints {
  /** moto_server base URL (S3 + SQS), the value for AWS_ENDPOINT_URL */
  aws: string
  /** Pub/Sub emulator host:port, the value for PUBSUB_EMULATOR_HOST */
  pubsub: string
  pubsubProject: string
  /** GCS JSON-API test server base URL, the value for STORAGE_EMULATOR_HOST */
  gcs: string
  /** Embedded Kafka-protocol broker, host:port */
  kafka: string
}

declare module 'vitest' {
  export interface ProvidedContext {
    endpoints: TestEndpoints
  }
}
