import type { IncomingMessage, ServerResponse } from 'node:http'

/** An error the server answers with a GCS-shaped JSON body: `{ error: { code, message, errors: [...] } }`. */
export class GcsError extends Error {
  readonly status: number
  readonly reason: string
  constructor(status: number, reason: string, message: string) {
    super(message)
    this.name = 'GcsError'
    this.status = status
    this.reason = reason
  }
}

export const notFound = (message: string) => new GcsError(404, 'notFound', message)
export const badRequest = (message: string) => new GcsError(400, 'invalid', message)
export const conditionNotMet = () =>
  new GcsError(412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.')

const REASONS: Record<number, string> = {
  400: 'invalid',
  401: 'required',
  403: 'forbidden',
  404: 'notFound',
  408: 'requestTimeout',
  409: 'conflict',
  412: 'conditionNotMet',
  429: 'rateLimitExceeded',
  500: 'backendError',
  502: 'backendError',
  503: 'backendError',
  504: 'backendError',
}

/** The error GCS would send for a bare status, used by fault injection. */
export function errorForStatus(status: number): GcsError {
  return new GcsError(status, REASONS[status] ?? 'backendError', `Injected fault: HTTP ${status}`)
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = Buffer.from(JSON.stringify(body))
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': String(payload.length),
    ...headers,
  })
  res.end(payload)
}

export function sendError(res: ServerResponse, err: GcsError): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  if (err.status === 304) {
    res.writeHead(304).end()
    return
  }
  sendJson(res, err.status, {
    error: {
      code: err.status,
      message: err.message,
      errors: [{ message: err.message, domain: 'global', reason: err.reason }],
    },
  })
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

export function parseJson(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {}
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString('utf8'))
  } catch {
    throw badRequest('Request body is not valid JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequest('Request body must be a JSON object')
  }
  return parsed as Record<string, unknown>
}

export interface MultipartPart {
  headers: Record<string, string>
  body: Buffer
}

/** Splits a `multipart/related` body on its boundary; bodies stay binary. */
export function parseMultipart(contentType: string | undefined, body: Buffer): MultipartPart[] {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType ?? '')
  const boundary = match?.[1] ?? match?.[2]
  if (!boundary) throw badRequest('multipart upload without a boundary')
  const delimiter = Buffer.from(`--${boundary}`)
  const parts: MultipartPart[] = []
  let position = body.indexOf(delimiter)
  while (position !== -1) {
    let start = position + delimiter.length
    if (body.subarray(start, start + 2).toString() === '--') break
    if (body.subarray(start, start + 2).toString() === '\r\n') start += 2
    const next = body.indexOf(delimiter, start)
    if (next === -1) throw badRequest('multipart body is not terminated')
    // The CRLF before the next delimiter belongs to the delimiter, not the part.
    const end = body.subarray(next - 2, next).toString() === '\r\n' ? next - 2 : next
    const part = body.subarray(start, end)
    const split = part.indexOf('\r\n\r\n')
    if (split === -1) throw badRequest('multipart part without a header block')
    const headers: Record<string, string> = {}
    for (const line of part.subarray(0, split).toString('utf8').split('\r\n')) {
      const colon = line.indexOf(':')
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
    }
    parts.push({ headers, body: part.subarray(split + 4) })
    position = next
  }
  return parts
}

/** `Range: bytes=a-b | a- | -n` against an object of `size` bytes: inclusive [start, end], or 'unsatisfiable'. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '')
  if (!match || (match[1] === '' && match[2] === '')) return undefined
  if (match[1] === '') {
    const suffix = Number(match[2])
    if (suffix === 0) return 'unsatisfiable'
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(match[1])
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
  if (start >= size || end < start) return 'unsatisfiable'
  return { start, end }
}
