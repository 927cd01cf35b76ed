import { badRequest } from './http.js'

/** What a test asks for with `POST /_fault` (see the control API in ../gcs-server.ts). */
export interface FaultSpec {
  /** only requests addressed to this bucket; without it the rule applies to every request */
  bucket?: string
  /** only requests whose `METHOD /path?query` contains this string, e.g. `GET ` or `uploadType=resumable` */
  match?: string
  /** HTTP status of injected failures (default 503) */
  status?: number
  /** fail the next N matching requests */
  failNext?: number
  /** then fail this fraction (0..1) of matching requests */
  failRate?: number
  /** delay every matching request by this many milliseconds before handling it */
  latencyMs?: number
  /** injected failures destroy the connection instead of answering (a network error for the client) */
  reset?: boolean
  /** persist only half the bytes of the next N non-final resumable-upload chunks (answered with 308 + Range) */
  partialChunks?: number
  /** flip one byte in the body of the next N media downloads, headers unchanged (hash validation must catch it) */
  corruptNext?: number
}

export interface FaultRule extends FaultSpec {
  /** failures injected so far by this rule */
  injected: number
  /** requests this rule matched so far */
  matched: number
}

export interface FaultDecision {
  latencyMs: number
  fail?: { status: number; reset: boolean }
}

const NUMBER_FIELDS = ['status', 'failNext', 'failRate', 'latencyMs', 'partialChunks', 'corruptNext'] as const
const KNOWN_FIELDS = new Set<string>([...NUMBER_FIELDS, 'bucket', 'match', 'reset'])

/** Validates a control request, rejecting unknown fields so a typo cannot silently inject nothing. */
export function parseFaultSpec(json: Record<string, unknown>): FaultSpec {
  for (const key of Object.keys(json)) if (!KNOWN_FIELDS.has(key)) throw badRequest(`unknown fault field: ${key}`)
  const spec: FaultSpec = {}
  for (const field of NUMBER_FIELDS) {
    const value = json[field]
    if (value === undefined) continue
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw badRequest(`fault field ${field} must be a non-negative number`)
    }
    spec[field] = value
  }
  if (spec.failRate !== undefined && spec.failRate > 1) throw badRequest('failRate must be between 0 and 1')
  if (spec.status !== undefined && (spec.status < 400 || spec.status > 599 || !Number.isInteger(spec.status))) {
    throw badRequest('status must be an HTTP error status (400-599)')
  }
  for (const field of ['bucket', 'match'] as const) {
    const value = json[field]
    if (value === undefined) continue
    if (typeof value !== 'string' || value === '') throw badRequest(`fault field ${field} must be a non-empty string`)
    spec[field] = value
  }
  if (json.reset !== undefined) {
    if (typeof json.reset !== 'boolean') throw badRequest('fault field reset must be a boolean')
    spec.reset = json.reset
  }
  return spec
}

/** Fault rules, at most one per bucket scope (plus one global); a new rule for a scope replaces the old one. */
export class Faults {
  private rules = new Map<string, FaultRule>()

  set(spec: FaultSpec): FaultRule {
    const rule: FaultRule = { ...spec, injected: 0, matched: 0 }
    this.rules.set(spec.bucket ?? '*', rule)
    return rule
  }

  /** Removes the rule of one bucket, or every rule. */
  clear(bucket?: string): void {
    if (bucket === undefined) this.rules.clear()
    else this.rules.delete(bucket)
  }

  list(): FaultRule[] {
    return [...this.rules.values()]
  }

  decide(request: string, bucket: string | undefined): FaultDecision {
    const decision: FaultDecision = { latencyMs: 0 }
    for (const rule of this.matching(request, bucket)) {
      rule.matched++
      decision.latencyMs = Math.max(decision.latencyMs, rule.latencyMs ?? 0)
      if (decision.fail) continue
      let fail = false
      if (rule.failNext !== undefined && rule.failNext > 0) {
        rule.failNext--
        fail = true
      } else if (rule.failRate !== undefined && Math.random() < rule.failRate) {
        fail = true
      }
      if (fail) {
        rule.injected++
        decision.fail = { status: rule.status ?? 503, reset: rule.reset ?? false }
      }
    }
    return decision
  }

  /** Takes one from a counted data fault (`partialChunks`, `corruptNext`); true when this request gets it. */
  take(fault: 'partialChunks' | 'corruptNext', request: string, bucket: string): boolean {
    for (const rule of this.matching(request, bucket)) {
      const left = rule[fault]
      if (left !== undefined && left > 0) {
        rule[fault] = left - 1
        rule.injected++
        return true
      }
    }
    return false
  }

  private matching(request: string, bucket: string | undefined): FaultRule[] {
    return this.list().filter(
      (rule) =>
        (rule.bucket === undefined || rule.bucket === bucket) &&
        (rule.match === undefined || request.includes(rule.match)),
    )
  }
}
