import type { TestProject } from 'vitest/node'
import type { TestEndpoints } from './support/endpoints.js'

const ALL_SERVERS = ['aws', 'pubsub', 'gcs', 'kafka'] as const
type ServerName = (typeof ALL_SERVERS)[number]

/**
 * Starts every real local server the integration tests talk to, on random loopback ports, and tears
 * them down afterwards. A missing server binary fails the run with its install command.
 * FERRY_TEST_SERVERS=kafka,gcs starts only those, to iterate on one area faster; CI starts all.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const wanted = new Set((process.env.FERRY_TEST_SERVERS ?? ALL_SERVERS.join(',')).split(',') as ServerName[])
  const stops: Array<() => Promise<void>> = []
  const endpoints: TestEndpoints = { aws: '', pubsub: '', pubsubProject: '', gcs: '', kafka: '' }
  const starts: Array<Promise<void>> = []
  if (wanted.has('aws')) {
    starts.push(
      import('./support/moto.js').then(async ({ startMoto }) => {
        const moto = await startMoto()
        stops.push(moto.stop)
        endpoints.aws = moto.endpoint
      }),
    )
  }
  if (wanted.has('pubsub')) {
    starts.push(
      import('./support/pubsub-emulator.js').then(async ({ startPubSubEmulator }) => {
        const emulator = await startPubSubEmulator()
        stops.push(emulator.stop)
        endpoints.pubsub = emulator.host
        endpoints.pubsubProject = emulator.projectId
      }),
    )
  }
  if (wanted.has('gcs')) {
    starts.push(
      import('./support/gcs-server.js').then(async ({ startGcsServer }) => {
        const gcs = await startGcsServer()
        stops.push(gcs.close)
        endpoints.gcs = gcs.url
      }),
    )
  }
  if (wanted.has('kafka')) {
    starts.push(
      import('../src/broker/index.js').then(async ({ startBroker }) => {
        const broker = await startBroker({ host: '127.0.0.1', port: 0 })
        stops.push(broker.close)
        endpoints.kafka = broker.address
      }),
    )
  }
  const results = await Promise.allSettled(starts)
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')
  if (failed) {
    await Promise.allSettled(stops.map((stop) => stop()))
    throw failed.reason
  }
  project.provide('endpoints', endpoints)
  return async () => {
    await Promise.allSettled(stops.map((stop) => stop()))
  }
}
