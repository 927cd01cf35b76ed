import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A real HTTP server on a random loopback port that records every request and answers from a
 * script, so webhook and ping clients are tested over the wire instead of against a fetch mock.
 */

export interface RecordedRequest {
  method: string
  /** path without the query */
  path: string
  query: Record<string, string>
  headers: IncomingHttpHeaders
  body: string
}

export interface ScriptedResponse {
  status: number
  headers?: Record<string, string>
  body?: string
  /** never answer, so the client's timeout fires */
  hang?: boolean
}

export interface HttpRecorder {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  readonly requests: RecordedRequest[]
  /** Answers for the next requests, in order; once used up, every request gets 200 "ok". */
  script(...responses: ScriptedResponse[]): void
  /** Scripts `response` for every request from now on. */
  always(response: ScriptedResponse): void
  close(): Promise<void>
}

export async function startHttpRecorder(): Promise<HttpRecorder> {
  const requests: RecordedRequest[] = []
  const queue: ScriptedResponse[] = []
  let fallback: ScriptedResponse = { status: 200, body: 'ok' }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://recorder')
      requests.push({
        method: req.method ?? '',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      })
      const answer = queue.shift() ?? fallback
      if (answer.hang) return
      res.writeHead(answer.status, { 'content-type': 'text/plain', ...answer.headers })
      res.end(answer.body ?? '')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    script: (...responses) => {
      queue.push(...responses)
    },
    always: (response) => {
      queue.length = 0
      fallback = response
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        // fetch keeps connections alive and a hung request never ends: cut them so close() returns.
        server.closeAllConnections()
        server.close((err) => (err ? reject(err) : resolve()))
      }),
  }
}

/** A loopback URL nothing listens on: the port was free a moment ago and is closed again. */
export async function deadUrl(): Promise<string> {
  const recorder = await startHttpRecorder()
  await recorder.close()
  return recorder.url
}
