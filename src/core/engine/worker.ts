/**
 * An engine worker thread (see pool.ts): runs processSource for one file at a time, reading and
 * writing through requests to the main thread. The pool terminates it when a file takes too long,
 * which stops even a decoder stuck in a loop.
 */
import { parentPort } from 'node:worker_threads'
import { ConfigError } from '../../errors.js'
import { datasets } from '../../schemas/datasets/index.js'
import { processSource } from '../engine.js'
import type { ByteSink, RangeReader } from '../formats/parquet.js'
import { deserializeError, type FromWorker, serializeError, type ToWorker, transferable } from './protocol.js'

const port = parentPort!
const pending = new Map<number, { resolve: (bytes: Uint8Array | undefined) => void; reject: (err: unknown) => void }>()
let nextRequest = 0

/** Sends the message built for a fresh request id and waits for the main thread's reply to it. */
function request(
  build: (request: number) => FromWorker,
  transfer: ArrayBuffer[] = [],
): Promise<Uint8Array | undefined> {
  const id = nextRequest++
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject })
    port.postMessage(build(id), transfer)
  })
}

function reader(size: number): RangeReader {
  return {
    size,
    read: async (start, end) => (await request((id) => ({ type: 'read', request: id, start, end })))!,
  }
}

function sink(name: 'output' | 'quarantine'): ByteSink {
  return {
    async write(chunk) {
      const bytes = transferable(chunk)
      await request((id) => ({ type: 'write', request: id, sink: name, bytes }), [bytes.buffer as ArrayBuffer])
    },
    // the main thread owns the real sink and closes it
    close: async () => undefined,
  }
}

async function run(message: Extract<ToWorker, { type: 'run' }>): Promise<void> {
  try {
    const dataset = datasets.find((candidate) => candidate.name === message.dataset)
    if (!dataset) throw new ConfigError(`dataset ${message.dataset} is not one of the built-in datasets`)
    const report = await processSource(
      reader(message.size),
      dataset,
      { output: sink('output'), quarantine: sink('quarantine') },
      message.options,
    )
    port.postMessage({ type: 'done', report } satisfies FromWorker)
  } catch (err) {
    port.postMessage({ type: 'failed', error: serializeError(err) } satisfies FromWorker)
  }
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'run') {
    void run(message)
    return
  }
  const waiting = pending.get(message.request)
  pending.delete(message.request)
  if (message.error) waiting?.reject(deserializeError(message.error))
  else waiting?.resolve(message.bytes)
})
