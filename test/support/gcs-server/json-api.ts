import type { RequestContext } from './context.js'
import { GcsError, parseJson, parseRange, readBody, sendJson } from './http.js'
import { bucketResource, etag, objectResource, type StoredObject } from './store.js'

/** `/b` and `/b/:bucket`: create, get, list and delete buckets. */
export async function handleBuckets(ctx: RequestContext, bucket: string | undefined): Promise<void> {
  const { req, res, store, baseUrl } = ctx
  if (bucket === undefined) {
    if (req.method === 'POST') {
      const created = store.createBucket(parseJson(await readBody(req)).name)
      sendJson(res, 200, bucketResource(created, baseUrl))
      return
    }
    if (req.method === 'GET') {
      const items = store.allBuckets().map((b) => bucketResource(b, baseUrl))
      sendJson(res, 200, { kind: 'storage#buckets', ...(items.length ? { items } : {}) })
      return
    }
  } else {
    if (req.method === 'GET') {
      sendJson(res, 200, bucketResource(store.bucket(bucket), baseUrl))
      return
    }
    if (req.method === 'DELETE') {
      store.deleteBucket(bucket)
      res.writeHead(204).end()
      return
    }
  }
  throw methodNotAllowed(req.method)
}

/** `/b/:bucket/o`: list objects with prefix, delimiter and pagination. */
export function handleList(ctx: RequestContext, bucket: string): void {
  const { req, res, url, store, baseUrl } = ctx
  if (req.method !== 'GET') throw methodNotAllowed(req.method)
  const query = url.searchParams
  const maxResults = Number(query.get('maxResults') ?? 1000)
  if (!Number.isInteger(maxResults) || maxResults < 1) throw new GcsError(400, 'invalid', 'Invalid maxResults')
  const page = store.list(bucket, {
    prefix: query.get('prefix') ?? '',
    delimiter: query.get('delimiter') ?? '',
    maxResults: Math.min(maxResults, 1000),
    pageToken: query.get('pageToken') || undefined,
    startOffset: query.get('startOffset') || undefined,
    endOffset: query.get('endOffset') || undefined,
  })
  // Like GCS, empty arrays and a missing token are left out of the response.
  sendJson(res, 200, {
    kind: 'storage#objects',
    ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
    ...(page.prefixes.length ? { prefixes: page.prefixes } : {}),
    ...(page.items.length ? { items: page.items.map((o) => objectResource(o, baseUrl)) } : {}),
  })
}

/** `/b/:bucket/o/:object`: metadata, media download (`alt=media`), PATCH and DELETE. */
export async function handleObject(ctx: RequestContext, bucket: string, name: string): Promise<void> {
  const { req, res, url, store, baseUrl } = ctx
  const query = url.searchParams
  switch (req.method) {
    case 'GET': {
      const object = store.object(bucket, name, query.get('generation'))
      store.checkPreconditions(object, query, true)
      if (query.get('alt') === 'media') download(ctx, object)
      else sendJson(res, 200, objectResource(object, baseUrl))
      return
    }
    case 'PATCH': {
      const updated = store.patch(bucket, name, parseJson(await readBody(req)), query)
      sendJson(res, 200, objectResource(updated, baseUrl))
      return
    }
    case 'DELETE':
      store.delete(bucket, name, query)
      res.writeHead(204).end()
      return
    default:
      throw methodNotAllowed(req.method)
  }
}

/** Media download with the headers the SDK validates (`x-goog-hash`) and byte ranges (206/416). */
function download(ctx: RequestContext, object: StoredObject): void {
  const { req, res } = ctx
  const size = object.data.length
  const headers: Record<string, string> = {
    'Content-Type': object.contentType ?? 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    ETag: etag(object),
    'Last-Modified': object.updated.toUTCString(),
    'x-goog-generation': String(object.generation),
    'x-goog-metageneration': String(object.metageneration),
    'x-goog-hash': `crc32c=${object.crc32c},md5=${object.md5Hash}`,
    'x-goog-stored-content-encoding': object.contentEncoding ?? 'identity',
    'x-goog-stored-content-length': String(size),
    'x-goog-storage-class': 'STANDARD',
  }
  if (object.contentEncoding) headers['Content-Encoding'] = object.contentEncoding
  // Client-supplied values become headers only when they are plain ASCII, which a header can carry.
  const printable = /^[\x20-\x7e]*$/
  if (object.cacheControl && printable.test(object.cacheControl)) headers['Cache-Control'] = object.cacheControl
  if (object.contentDisposition && printable.test(object.contentDisposition)) {
    headers['Content-Disposition'] = object.contentDisposition
  }
  const range = parseRange(req.headers.range, size)
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Type': 'application/json; charset=UTF-8' })
    res.end(
      JSON.stringify({
        error: {
          code: 416,
          message: 'The requested range cannot be satisfied.',
          errors: [{ domain: 'global', reason: 'requestedRangeNotSatisfiable', message: 'Range not satisfiable' }],
        },
      }),
    )
    return
  }
  if (range) {
    const body = corrupt(ctx, object, object.data.subarray(range.start, range.end + 1))
    res.writeHead(206, {
      ...headers,
      'Content-Range': `bytes ${range.start}-${range.end}/${size}`,
      'Content-Length': String(body.length),
    })
    res.end(body)
    return
  }
  res.writeHead(200, { ...headers, 'Content-Length': String(size) })
  res.end(corrupt(ctx, object, object.data))
}

/** The `corruptNext` fault: one byte flipped in transit, so only the client's hash check can notice. */
function corrupt(ctx: RequestContext, object: StoredObject, body: Buffer): Buffer {
  if (body.length === 0 || !ctx.faults.take('corruptNext', ctx.requestLine, object.bucket)) return body
  const damaged = Buffer.from(body)
  damaged[damaged.length >> 1]! ^= 0xff
  return damaged
}

export function methodNotAllowed(method: string | undefined): GcsError {
  return new GcsError(405, 'methodNotAllowed', `Method ${method ?? '?'} is not supported here`)
}
