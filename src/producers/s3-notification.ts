/**
 * Pure parsing of SQS message bodies that carry S3 object notifications. No I/O, never throws:
 * every input, however large, deep, binary or hostile, ends up as `objects`, `skip` or `invalid`.
 *
 * Accepted shapes:
 * - S3 event notification JSON (`{"Records":[{"eventName":"ObjectCreated:Put","s3":{...}}]}`), as S3
 *   delivers it straight to SQS or through SNS with raw message delivery;
 * - the same JSON wrapped in an SNS envelope (`{"Type":"Notification","Message":"<json string>"}`);
 * - the `s3:TestEvent` S3 sends when a notification configuration is saved (skipped);
 * - an EventBridge `aws.s3` event (`{"detail-type":"Object Created","detail":{...}}`), as an
 *   EventBridge rule with an SQS target delivers it.
 */

export interface ObjectEvent {
  bucket: string
  /** The real object key, decoded: pass it to GetObject as is. */
  key: string
  size: number
  /** Without surrounding quotes; multipart uploads end in `-<parts>`. */
  eTag?: string
  versionId?: string
  /** Hex string ordering events for one key (absent from moto's notifications). */
  sequencer?: string
  /** ISO-8601 UTC. */
  eventTime: string
  /** Notification-style name, e.g. `ObjectCreated:Put` (EventBridge reasons are mapped to these). */
  eventName: string
  region?: string
}

export type ParsedBody =
  | { kind: 'objects'; events: ObjectEvent[] }
  | { kind: 'skip'; reason: string }
  | { kind: 'invalid'; reason: string }

/**
 * SQS bodies are at most 1 MiB; a body far beyond that was not produced by S3, SNS or EventBridge.
 * Refusing it up front keeps a hostile message from costing a large JSON.parse.
 */
const MAX_BODY_CHARS = 4 * 1024 * 1024
/** SNS-in-SNS is possible (topic fan-out chains); more than this is not a real notification. */
const MAX_ENVELOPES = 3
const MAX_REASON_NAMES = 5

type Json = Record<string, unknown>
type Result<T> = { ok: true; value: T } | { ok: false; reason: string }

export function parseNotificationBody(body: string): ParsedBody {
  try {
    return parseBody(body)
  } catch (err) {
    // Defensive only: the parsing below checks every value it touches.
    return { kind: 'invalid', reason: `unexpected parser failure: ${err instanceof Error ? err.message : String(err)}` }
  }
}

/**
 * Key for collapsing duplicate deliveries of one event within a drain (S3 delivers at least once,
 * and an SQS redelivery repeats a body). Each part is escaped so `/` inside a key cannot make two
 * different events collide.
 */
export function dedupeKey(e: ObjectEvent): string {
  return [e.bucket, e.key, e.eTag ?? '', e.sequencer ?? ''].map(escapePart).join('/')
}

function escapePart(part: string): string {
  return part.replaceAll('%', '%25').replaceAll('/', '%2F')
}

function parseBody(body: unknown): ParsedBody {
  if (typeof body !== 'string') return invalid(`body is a ${typeof body}, not a string`)
  let value = parseJson(body, 'body')
  if (!value.ok) return invalid(value.reason)
  for (let depth = 0; ; depth++) {
    const current: unknown = value.value
    if (!isObject(current)) return invalid(`body is JSON ${describeJson(current)}, not an object`)
    if (!('Type' in current) || !('Message' in current)) break
    if (current.Type !== 'Notification')
      return invalid(`SNS envelope of type ${short(current.Type)}, not a Notification`)
    if (typeof current.Message !== 'string') return invalid('SNS envelope Message is not a string')
    if (depth >= MAX_ENVELOPES) return invalid(`more than ${MAX_ENVELOPES} nested SNS envelopes`)
    value = parseJson(current.Message, 'SNS Message')
    if (!value.ok) return invalid(value.reason)
  }
  const doc = value.value as Json
  if (doc.Event === 's3:TestEvent') {
    return { kind: 'skip', reason: 's3:TestEvent (sent by S3 when a bucket notification configuration is saved)' }
  }
  if ('Records' in doc) return parseRecords(doc.Records)
  if ('detail-type' in doc || 'detail' in doc) return parseEventBridge(doc)
  return invalid(
    'not an S3 notification: expected Records[], an s3:TestEvent, an SNS envelope or an aws.s3 EventBridge event',
  )
}

// ---------------------------------------------------------------------------------------------
// S3 event notification (Records[])

function parseRecords(records: unknown): ParsedBody {
  if (!Array.isArray(records)) return invalid('Records is not an array')
  if (records.length === 0) return invalid('Records is empty')
  const events: ObjectEvent[] = []
  const skipped = new Set<string>()
  for (let i = 0; i < records.length; i++) {
    const where = `Records[${i}]`
    const record: unknown = records[i]
    if (!isObject(record)) return invalid(`${where} is not an object`)
    const eventName = record.eventName
    if (typeof eventName !== 'string' || eventName === '') return invalid(`${where}.eventName is missing`)
    if (!isObjectCreated(eventName)) {
      skipped.add(eventName)
      continue
    }
    const event = parseRecord(record, eventName, where)
    if (!event.ok) return invalid(event.reason)
    events.push(event.value)
  }
  if (events.length === 0) return { kind: 'skip', reason: `no object-created events (${listNames(skipped)})` }
  return { kind: 'objects', events }
}

function parseRecord(record: Json, eventName: string, where: string): Result<ObjectEvent> {
  const s3 = record.s3
  if (!isObject(s3)) return fail(`${where}.s3 is missing`)
  const bucket = isObject(s3.bucket) ? s3.bucket.name : undefined
  if (!isNonEmptyString(bucket)) return fail(`${where}.s3.bucket.name is missing`)
  const object = s3.object
  if (!isObject(object)) return fail(`${where}.s3.object is missing`)
  if (!isNonEmptyString(object.key)) return fail(`${where}.s3.object.key is missing`)
  const key = decodeNotificationKey(object.key)
  if (!key.ok) return fail(`${where}.s3.object.key ${key.reason}`)
  const size = parseSize(object.size)
  if (size === undefined) return fail(`${where}.s3.object.size is missing or not a non-negative integer`)
  const eventTime = parseTime(record.eventTime)
  if (eventTime === undefined) return fail(`${where}.eventTime is missing or not a timestamp`)
  return {
    ok: true,
    value: withOptionals(
      { bucket, key: key.value, size, eventTime, eventName },
      {
        eTag: optionalString(object.eTag, unquote),
        versionId: optionalString(object.versionId),
        sequencer: optionalString(object.sequencer),
        region: optionalString(record.awsRegion),
      },
    ),
  }
}

/**
 * S3 event notifications URL-encode the key the way HTML forms do
 * (application/x-www-form-urlencoded): "red flower.jpg" arrives as "red+flower.jpg", a literal "+"
 * as "%2B", "%" as "%25", UTF-8 bytes as %XX (docs.aws.amazon.com/AmazonS3/latest/userguide/
 * notification-content-structure.html). So `+` becomes a space first, then %XX sequences decode;
 * the other order would turn an encoded "%2B" into a space.
 */
function decodeNotificationKey(encoded: string): Result<string> {
  try {
    return { ok: true, value: decodeURIComponent(encoded.replaceAll('+', ' ')) }
  } catch {
    return fail(`has a malformed %-escape: ${short(encoded)}`)
  }
}

function isObjectCreated(eventName: string): boolean {
  // AWS sends "ObjectCreated:Put"; S3-compatible stores (MinIO, Ceph) send "s3:ObjectCreated:Put".
  return /^(s3:)?ObjectCreated:/.test(eventName)
}

// ---------------------------------------------------------------------------------------------
// EventBridge (detail-type / detail)

/** EventBridge `detail.reason` for Object Created, mapped onto the notification event names. */
const EVENTBRIDGE_REASONS: Record<string, string> = {
  PutObject: 'ObjectCreated:Put',
  'POST Object': 'ObjectCreated:Post',
  CopyObject: 'ObjectCreated:Copy',
  CompleteMultipartUpload: 'ObjectCreated:CompleteMultipartUpload',
}

function parseEventBridge(doc: Json): ParsedBody {
  if (doc.source !== 'aws.s3') return invalid(`EventBridge event from source ${short(doc.source)}, not aws.s3`)
  const detailType = doc['detail-type']
  if (typeof detailType !== 'string') return invalid('EventBridge detail-type is missing')
  if (detailType !== 'Object Created')
    return { kind: 'skip', reason: `no object-created events (${short(detailType)})` }
  const detail = doc.detail
  if (!isObject(detail)) return invalid('EventBridge detail is missing')
  const bucket = isObject(detail.bucket) ? detail.bucket.name : undefined
  if (!isNonEmptyString(bucket)) return invalid('EventBridge detail.bucket.name is missing')
  const object = detail.object
  if (!isObject(object)) return invalid('EventBridge detail.object is missing')
  // Unlike the notification format, the EventBridge event documents `detail.object.key` as the key
  // name itself (docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html, "Event message detail
  // field"); it is not form-encoded, so a "+" here is a real plus and "%20" is literally "%20".
  // It is therefore used verbatim: decoding it would corrupt keys containing "+" or "%".
  // moto agrees (it sends key.name raw to EventBridge and quote_plus(key.name) to SQS/SNS).
  // Not verified against live AWS in this repository: if a real event ever shows an encoded key,
  // this is the one line to change.
  const key = object.key
  if (!isNonEmptyString(key)) return invalid('EventBridge detail.object.key is missing')
  const size = parseSize(object.size)
  if (size === undefined) return invalid('EventBridge detail.object.size is missing or not a non-negative integer')
  const eventTime = parseTime(doc.time)
  if (eventTime === undefined) return invalid('EventBridge time is missing or not a timestamp')
  const reason = typeof detail.reason === 'string' ? detail.reason : undefined
  const eventName = (reason && EVENTBRIDGE_REASONS[reason]) ?? `ObjectCreated:${reason ?? '*'}`
  const event = withOptionals(
    { bucket, key, size, eventTime, eventName },
    {
      // AWS spells it `etag` here; moto sends `eTag`.
      eTag: optionalString(object.etag ?? object.eTag, unquote),
      versionId: optionalString(object['version-id']),
      sequencer: optionalString(object.sequencer),
      region: optionalString(doc.region),
    },
  )
  return { kind: 'objects', events: [event] }
}

// ---------------------------------------------------------------------------------------------
// Small helpers

function parseJson(text: string, what: string): Result<unknown> {
  if (text.length > MAX_BODY_CHARS)
    return fail(`${what} is ${text.length} characters, over the ${MAX_BODY_CHARS} limit`)
  if (text.trim() === '') return fail(`${what} is empty`)
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err)
    return fail(`${what} is not JSON (${short(detail, 120)})`)
  }
}

function parseSize(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined
}

/**
 * ISO-8601 UTC. S3 sends `2024-05-01T02:00:01.123Z`; moto sends local time without a zone (UTC on
 * CI), which is read as UTC; moto's EventBridge `time` is epoch seconds.
 */
function parseTime(value: unknown): string | undefined {
  let date: Date
  if (typeof value === 'number' && Number.isFinite(value)) date = new Date(value * 1000)
  else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) {
    const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(value)
    date = new Date(hasZone ? value : `${value}Z`)
  } else return undefined
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
}

function optionalString(value: unknown, map: (s: string) => string = (s) => s): string | undefined {
  return typeof value === 'string' && value !== '' ? map(value) : undefined
}

function unquote(etag: string): string {
  return etag.replace(/^"(.*)"$/, '$1')
}

function withOptionals<T extends object>(base: T, optional: Record<string, string | undefined>): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) }
  for (const [name, value] of Object.entries(optional)) if (value !== undefined) out[name] = value
  return out as T
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== ''
}

function describeJson(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

function listNames(names: Set<string>): string {
  const list = [...names].slice(0, MAX_REASON_NAMES).map((n) => short(n, 60))
  const more = names.size > MAX_REASON_NAMES ? `, +${names.size - MAX_REASON_NAMES} more` : ''
  return `${list.join(', ')}${more}`
}

/** A bounded, printable rendering of an untrusted value for a reason string. */
function short(value: unknown, max = 80): string {
  if (typeof value !== 'string') return isObject(value) || Array.isArray(value) ? describeJson(value) : String(value)
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value)
}

function invalid(reason: string): ParsedBody {
  return { kind: 'invalid', reason }
}

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason }
}
