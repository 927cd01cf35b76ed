import { connect, type Socket } from 'node:net'
import { Reader } from '../../../../src/broker/protocol/reader.js'
import { Writer } from '../../../../src/broker/protocol/writer.js'

export interface RawResponse {
  correlationId: number
  /** Positioned after the correlation id. */
  body: Reader
}

/** A bare Kafka-protocol socket for tests that need exact control of the bytes on the wire. */
export class RawClient {
  private buffered = Buffer.alloc(0)
  private readonly responses: RawResponse[] = []
  private readonly waiters: Array<(response: RawResponse) => void> = []
  private correlationId = 0
  private readonly socket: Socket
  readonly closed: Promise<void>

  private constructor(socket: Socket) {
    this.socket = socket
    socket.on('data', (chunk: Buffer) => this.receive(chunk))
    socket.on('error', () => undefined)
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()))
  }

  static connect(address: string): Promise<RawClient> {
    const [host, port] = address.split(':')
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), host, () => resolve(new RawClient(socket)))
      socket.once('error', reject)
    })
  }

  private receive(chunk: Buffer): void {
    this.buffered = Buffer.concat([this.buffered, chunk])
    while (this.buffered.length >= 4 && this.buffered.length >= 4 + this.buffered.readInt32BE(0)) {
      const frame = this.buffered.subarray(4, 4 + this.buffered.readInt32BE(0))
      this.buffered = this.buffered.subarray(4 + frame.length)
      const body = new Reader(Buffer.from(frame))
      const response = { correlationId: body.int32(), body }
      const waiter = this.waiters.shift()
      if (waiter) waiter(response)
      else this.responses.push(response)
    }
  }

  /** Writes bytes as they are: no framing. */
  write(bytes: Buffer): void {
    this.socket.write(bytes)
  }

  /** Sends a request with header v1 and returns its correlation id. */
  send(apiKey: number, version: number, body: Buffer | Writer = Buffer.alloc(0)): number {
    const correlationId = ++this.correlationId
    const payload = body instanceof Writer ? body.toBuffer() : body
    const frame = new Writer().int16(apiKey).int16(version).int32(correlationId).nullableString('raw-test').raw(payload)
    const bytes = frame.toBuffer()
    this.socket.write(Buffer.concat([new Writer().int32(bytes.length).toBuffer(), bytes]))
    return correlationId
  }

  /** The next response on this connection, in arrival order. */
  next(): Promise<RawResponse> {
    const ready = this.responses.shift()
    if (ready) return Promise.resolve(ready)
    return new Promise((resolve) => this.waiters.push(resolve))
  }

  async request(apiKey: number, version: number, body: Buffer | Writer = Buffer.alloc(0)): Promise<RawResponse> {
    const correlationId = this.send(apiKey, version, body)
    const response = await this.next()
    if (response.correlationId !== correlationId) {
      throw new Error(`expected correlation id ${correlationId}, got ${response.correlationId}`)
    }
    return response
  }

  close(): void {
    this.socket.destroy()
  }
}
