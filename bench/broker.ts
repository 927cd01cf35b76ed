/**
 * Throughput of the embedded broker with kafkajs, 1 KB messages.
 *
 * The broker runs in a worker thread (this same file, started again off the main thread) so it has
 * its own event loop: kafkajs spends as much CPU encoding and decoding as the broker does, and
 * sharing one loop would measure their sum rather than what the broker can serve.
 *
 *   npm run bench:broker            (FERRY_BENCH_MESSAGES=N to change the count, default 100000)
 *
 * The last line is machine-readable: `produce_msgs_per_s=N consume_msgs_per_s=M` (in-memory broker).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { Kafka, logLevel } from 'kafkajs'
import { startBroker } from '../src/broker/index.js'

const MESSAGE_BYTES = 1024
const BATCH = 1000
const IN_FLIGHT = 4
const PARTITIONS = 4

interface Result {
  produceRate: number
  consumeRate: number
}

async function brokerWorker(dataDir: string | undefined): Promise<void> {
  const broker = await startBroker({ port: 0, dataDir })
  parentPort!.postMessage(broker.address)
  parentPort!.once('message', async () => {
    await broker.close()
    parentPort!.postMessage('closed')
  })
}

function startWorkerBroker(dataDir: string | undefined): Promise<{ address: string; stop: () => Promise<void> }> {
  const worker = new Worker(fileURLToPath(import.meta.url), { workerData: { dataDir } })
  return new Promise((resolve, reject) => {
    worker.once('error', reject)
    worker.once('message', (address: string) => {
      resolve({
        address,
        stop: async () => {
          const closed = new Promise((done) => worker.once('message', done))
          worker.postMessage('close')
          await closed
          await worker.terminate()
        },
      })
    })
  })
}

async function measure(label: string, total: number, dataDir: string | undefined): Promise<Result> {
  const broker = await startWorkerBroker(dataDir)
  const kafka = new Kafka({ brokers: [broker.address], clientId: 'ferry-bench', logLevel: logLevel.NOTHING })
  const topic = 'bench'
  const admin = kafka.admin()
  await admin.connect()
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] })
  await admin.disconnect()

  const value = Buffer.alloc(MESSAGE_BYTES, 'x')
  const producer = kafka.producer({ allowAutoTopicCreation: false })
  await producer.connect()
  const batches = Math.ceil(total / BATCH)
  let next = 0
  const produceStart = process.hrtime.bigint()
  // IN_FLIGHT senders share one connection, so requests are pipelined as a busy producer's would be.
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      for (let b = next++; b < batches; b = next++) {
        const count = Math.min(BATCH, total - b * BATCH)
        const messages = Array.from({ length: count }, (_, i) => ({ key: String((b * BATCH + i) % 64), value }))
        await producer.send({ topic, acks: -1, messages })
      }
    }),
  )
  const produceSeconds = Number(process.hrtime.bigint() - produceStart) / 1e9
  await producer.disconnect()

  const consumer = kafka.consumer({ groupId: 'ferry-bench', maxBytes: 50 * 1024 * 1024 })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  let consumed = 0
  // Timed from run(): the group join and the first fetch are part of what a consumer waits for.
  const consumeStart = process.hrtime.bigint()
  const consumeSeconds = await new Promise<number>((resolve) => {
    void consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        consumed += batch.messages.length
        if (consumed >= total) resolve(Number(process.hrtime.bigint() - consumeStart) / 1e9)
      },
    })
  })
  await consumer.disconnect()
  await broker.stop()

  const result = { produceRate: Math.round(total / produceSeconds), consumeRate: Math.round(total / consumeSeconds) }
  const mbps = (rate: number) => ((rate * MESSAGE_BYTES) / 1024 / 1024).toFixed(1)
  console.log(
    `${label}: produced ${total} x ${MESSAGE_BYTES} B in ${produceSeconds.toFixed(2)} s -> ${result.produceRate} msgs/s (${mbps(result.produceRate)} MiB/s)`,
  )
  console.log(
    `${label}: consumed ${consumed} in ${consumeSeconds.toFixed(2)} s (group join included) -> ${result.consumeRate} msgs/s (${mbps(result.consumeRate)} MiB/s)`,
  )
  return result
}

async function main(): Promise<void> {
  const total = Number(process.env.FERRY_BENCH_MESSAGES ?? 100_000)
  console.log(
    `ferry broker bench: kafkajs 2.2.4, ${total} messages of ${MESSAGE_BYTES} B, batches of ${BATCH}, ${IN_FLIGHT} in flight, ${PARTITIONS} partitions, acks=-1, broker in a worker thread`,
  )
  // Unreported warm-up: lets V8 optimise kafkajs and the broker before anything is timed.
  await measure('warm-up (ignore)', Math.min(total, 20_000), undefined)
  const dataDir = mkdtempSync(join(tmpdir(), 'ferry-bench-'))
  try {
    await measure('data dir (files, no fsync)', total, dataDir)
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
  const memory = await measure('in memory', total, undefined)
  console.log(`produce_msgs_per_s=${memory.produceRate} consume_msgs_per_s=${memory.consumeRate}`)
}

if (isMainThread) {
  await main()
} else {
  await brokerWorker((workerData as { dataDir?: string }).dataDir)
}
