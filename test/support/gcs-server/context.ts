import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Faults } from './faults.js'
import { badRequest } from './http.js'
import type { GcsStore, ObjectFields, StoredObject } from './store.js'

/** A resumable upload session: bytes received so far, and the object once finalised. */
export interface UploadSession {
  id: string
  bucket: string
  name: string
  fields: ObjectFields
  /** preconditions from the session start, checked again when the object is finalised */
  query: URLSearchParams
  chunks: Buffer[]
  received: number
  done?: StoredObject
}

/** Everything a route handler needs for one request. */
export interface RequestContext {
  req: IncomingMessage
  res: ServerResponse
  url: URL
  /** `http://host:port` as the client addressed the server, for links and upload session URLs */
  baseUrl: string
  /** `METHOD /path?query`, what fault rules match against */
  requestLine: string
  store: GcsStore
  faults: Faults
  sessions: Map<string, UploadSession>
}

/** Decodes one percent-encoded path segment (object names arrive with `/` as `%2F`). */
export function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw)
  } catch {
    throw badRequest(`Invalid percent-encoding in path: ${raw}`)
  }
}
