import { createHash, randomUUID } from 'node:crypto'
import type { RequestContext, UploadSession } from './context.js'
import { crc32cBase64 } from './crc32c.js'
import { badRequest, GcsError, notFound, parseJson, parseMultipart, readBody, sendJson } from './http.js'
import { methodNotAllowed } from './json-api.js'
import { type ObjectFields, objectFields, objectResource } from './store.js'

/**
 * `/upload/storage/v1/b/:bucket/o`: media (`uploadType=media`), multipart (`uploadType=multipart`,
 * multipart/related with JSON metadata then the data) and resumable uploads (`uploadType=resumable`
 * starts a session; PUT to its `Location` with `Content-Range` sends chunks, answered with
 * 308 Resume Incomplete + `Range` until the last byte arrives).
 */
export async function handleUpload(ctx: RequestContext, bucket: string): Promise<void> {
  const { req, url } = ctx
  const uploadId = url.searchParams.get('upload_id')
  if (uploadId !== null) {
    const session = ctx.sessions.get(uploadId)
    if (!session || session.bucket !== bucket) throw notFound(`No such upload session: ${uploadId}`)
    if (req.method === 'PUT' || req.method === 'POST') return resumeUpload(ctx, session)
    if (req.method === 'DELETE') {
      ctx.sessions.delete(uploadId)
      ctx.res.writeHead(499).end()
      return
    }
    throw methodNotAllowed(req.method)
  }
  if (req.method !== 'POST') throw methodNotAllowed(req.method)
  ctx.store.bucket(bucket)
  const uploadType = url.searchParams.get('uploadType') ?? 'media'
  if (uploadType === 'media') return simpleUpload(ctx, bucket)
  if (uploadType === 'multipart') return multipartUpload(ctx, bucket)
  if (uploadType === 'resumable') return startResumable(ctx, bucket)
  throw badRequest(`Unsupported uploadType: ${uploadType}`)
}

async function simpleUpload(ctx: RequestContext, bucket: string): Promise<void> {
  const name = requireName(ctx.url.searchParams.get('name'))
  const data = await readBody(ctx.req)
  checkHashHeader(ctx.req.headers['x-goog-hash'], data)
  const fields: ObjectFields = {}
  const contentType = ctx.req.headers['content-type']
  if (contentType) fields.contentType = contentType
  finish(ctx, bucket, name, data, fields, ctx.url.searchParams)
}

async function multipartUpload(ctx: RequestContext, bucket: string): Promise<void> {
  const parts = parseMultipart(ctx.req.headers['content-type'], await readBody(ctx.req))
  const [metaPart, dataPart] = parts
  if (parts.length !== 2 || !metaPart || !dataPart) throw badRequest('multipart upload needs exactly 2 parts')
  const json = parseJson(metaPart.body)
  const name = requireName(ctx.url.searchParams.get('name') ?? json.name)
  const { fields } = objectFields(json)
  fields.contentType ??= dataPart.headers['content-type']
  const data = dataPart.body
  if (typeof json.md5Hash === 'string' && json.md5Hash !== md5(data)) throw hashMismatch('MD5', json.md5Hash, md5(data))
  if (typeof json.crc32c === 'string' && json.crc32c !== crc32cBase64(data)) {
    throw hashMismatch('CRC32C', json.crc32c, crc32cBase64(data))
  }
  checkHashHeader(ctx.req.headers['x-goog-hash'], data)
  finish(ctx, bucket, name, data, fields, ctx.url.searchParams)
}

async function startResumable(ctx: RequestContext, bucket: string): Promise<void> {
  const { req, url, store } = ctx
  const json = parseJson(await readBody(req))
  const name = requireName(url.searchParams.get('name') ?? json.name)
  const { fields } = objectFields(json)
  const uploadContentType = req.headers['x-upload-content-type']
  if (typeof uploadContentType === 'string' && !fields.contentType) fields.contentType = uploadContentType
  // GCS checks preconditions when the session starts, and again when the object is finalised.
  store.checkPreconditions(store.bucket(bucket).objects.get(name), url.searchParams)
  const id = randomUUID().replaceAll('-', '')
  ctx.sessions.set(id, {
    id,
    bucket,
    name,
    fields,
    query: new URLSearchParams(url.searchParams),
    chunks: [],
    received: 0,
  })
  const location = `${ctx.baseUrl}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`
  ctx.res.writeHead(200, { Location: location, 'Content-Length': '0' }).end()
}

type ContentRange = { first: number; last?: number; total?: number } | { first: undefined; total?: number }

/** `bytes a-b/T`, `bytes a-b/*`, `bytes a-* /T` (the SDK's single-request form), `bytes * /T`, `bytes * /*`. */
function parseContentRange(header: string | undefined, bodyLength: number): ContentRange {
  if (header === undefined) return { first: 0, last: bodyLength - 1, total: bodyLength }
  const match = /^bytes (?:(\d+)-(\d+|\*)|\*)\/(\d+|\*)$/.exec(header.trim())
  if (!match) throw badRequest(`Invalid Content-Range: ${header}`)
  const total = match[3] === '*' ? undefined : Number(match[3])
  if (match[1] === undefined) return { first: undefined, total }
  const first = Number(match[1])
  const last = match[2] === '*' ? undefined : Number(match[2])
  if (last !== undefined && last - first + 1 !== bodyLength) {
    throw badRequest(`Content-Range ${header} does not match a body of ${bodyLength} bytes`)
  }
  return { first, last, total }
}

async function resumeUpload(ctx: RequestContext, session: UploadSession): Promise<void> {
  const { req, res } = ctx
  const body = await readBody(req)
  if (session.done) {
    sendJson(res, 200, objectResource(session.done, ctx.baseUrl))
    return
  }
  const range = parseContentRange(req.headers['content-range'], body.length)
  if (range.first !== undefined) {
    if (range.first > session.received) {
      throw badRequest(`Content-Range starts at ${range.first} but only ${session.received} bytes were received`)
    }
    // Bytes the server already has are skipped: a client may resend after a partial chunk.
    let fresh = body.subarray(Math.min(session.received - range.first, body.length))
    const end = range.first + body.length
    // `bytes a-*/*` closes the upload with this request; otherwise the total says when it is complete.
    const final = range.total === undefined ? range.last === undefined : end === range.total
    if (range.total !== undefined && end > range.total) throw badRequest('Content-Range goes past the declared total')
    if (!final && fresh.length > 1 && ctx.faults.take('partialChunks', ctx.requestLine, session.bucket)) {
      fresh = fresh.subarray(0, Math.floor(fresh.length / 2))
    }
    session.chunks.push(fresh)
    session.received += fresh.length
    if (!final) {
      incomplete(ctx, session)
      return
    }
  } else if (range.total === undefined || range.total !== session.received) {
    // `bytes */*` asks how far the upload got; `bytes */T` finalises only when all T bytes are there.
    if (range.total !== undefined) throw badRequest(`Upload has ${session.received} bytes, not ${range.total}`)
    incomplete(ctx, session)
    return
  }
  const data = Buffer.concat(session.chunks)
  checkHashHeader(req.headers['x-goog-hash'], data)
  session.done = finish(ctx, session.bucket, session.name, data, session.fields, session.query)
  session.chunks = []
}

function incomplete(ctx: RequestContext, session: UploadSession): void {
  const headers: Record<string, string> = { 'Content-Length': '0' }
  if (session.received > 0) headers.Range = `bytes=0-${session.received - 1}`
  ctx.res.writeHead(308, headers).end()
}

function finish(
  ctx: RequestContext,
  bucket: string,
  name: string,
  data: Buffer,
  fields: ObjectFields,
  query: URLSearchParams,
) {
  const object = ctx.store.put(bucket, name, data, fields, query)
  sendJson(ctx.res, 200, objectResource(object, ctx.baseUrl))
  return object
}

function requireName(name: unknown): string {
  if (typeof name !== 'string' || name === '') throw badRequest('Required parameter: name')
  return name
}

/** `X-Goog-Hash: crc32c=...,md5=...` on an upload: GCS rejects the object when the data does not match. */
function checkHashHeader(header: string | string[] | undefined, data: Buffer): void {
  if (header === undefined) return
  for (const pair of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const at = pair.indexOf('=')
    const type = pair.slice(0, at).trim().toLowerCase()
    const value = pair.slice(at + 1).trim()
    if (type === 'md5' && value !== md5(data)) throw hashMismatch('MD5', value, md5(data))
    if (type === 'crc32c' && value !== crc32cBase64(data)) throw hashMismatch('CRC32C', value, crc32cBase64(data))
  }
}

function hashMismatch(kind: string, provided: string, actual: string): GcsError {
  return new GcsError(
    400,
    'invalid',
    `Provided ${kind} hash "${provided}" doesn't match calculated ${kind} hash "${actual}".`,
  )
}

function md5(data: Buffer): string {
  return createHash('md5').update(data).digest('base64')
}
