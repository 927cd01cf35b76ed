import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { parse } from 'yaml'

interface Service {
  image?: string
  ports?: string[]
  command?: string[]
}

describe('docker-compose.yml (cannot run here: no Docker engine)', () => {
  const compose = parse(readFileSync(new URL('../../../docker-compose.yml', import.meta.url), 'utf8')) as {
    services: Record<string, Service>
  }

  it('parses and defines Kafka, moto, fake-gcs-server and the Pub/Sub emulator', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['gcs', 'kafka', 'moto', 'pubsub'])
    expect(compose.services.kafka?.image).toMatch(/^apache\/kafka:/)
    expect(compose.services.moto?.image).toMatch(/^motoserver\/moto:/)
    expect(compose.services.gcs?.image).toMatch(/^fsouza\/fake-gcs-server:/)
    expect(compose.services.pubsub?.command?.join(' ')).toContain('emulators pubsub start')
  })

  it('publishes every port on loopback only', () => {
    for (const service of Object.values(compose.services)) {
      for (const port of service.ports ?? []) expect(port).toMatch(/^127\.0\.0\.1:\d+:\d+$/)
    }
  })

  it('matches the variables docker-compose.env gives Ferry', () => {
    const env = readFileSync(new URL('../../../docker-compose.env', import.meta.url), 'utf8')
    expect(env).toContain('FERRY_KAFKA_BROKERS=localhost:9092')
    expect(env).toContain('AWS_ENDPOINT_URL=http://localhost:5000')
    expect(env).toContain('STORAGE_EMULATOR_HOST=http://localhost:4443')
    expect(env).toContain('PUBSUB_EMULATOR_HOST=localhost:8085')
  })
})
