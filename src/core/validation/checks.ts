import { createRequire } from 'node:module'
import { bytesText, dateText, isSafeBigInt, jsonCell } from './batch.js'
import { isDateTimeDate } from './formats.js'
import type { PropertyRules } from './plan.js'

/** Whether a present (neither null nor undefined) decoded value satisfies one property's rules. */
export type ValueCheck = (value: unknown) => boolean

type Check<T> = (value: T) => boolean

/**
 * The same helpers ajv's generated code calls, so string length and deep equality cannot differ. They
 * are CommonJS modules whose only export is `default`, which Node's ESM interop and vitest's unwrap
 * differently when imported; `require` reads them the same way everywhere.
 */
const require = createRequire(import.meta.url)
const equal: typeof import('ajv/dist/runtime/equal.js').default = require('ajv/dist/runtime/equal.js').default
const ucs2length: typeof import('ajv/dist/runtime/ucs2length.js').default =
  require('ajv/dist/runtime/ucs2length.js').default

const ACCEPT = (): boolean => true
const REJECT = (): boolean => false

function every<T>(checks: Check<T>[]): Check<T> {
  if (checks.length === 0) return ACCEPT
  if (checks.length === 1) return checks[0]!
  if (checks.length === 2) {
    const [first, second] = checks as [Check<T>, Check<T>]
    return (value) => first(value) && second(value)
  }
  return (value) => {
    for (const check of checks) if (!check(value)) return false
    return true
  }
}

/**
 * `enum` and `const`, which apply to every type. ajv compares an entry that is an object or array with
 * deep equality and any other entry with `===`; the plan admits only JSON entries (no NaN), for which
 * a Set lookup (SameValueZero) gives the same answers as `===`.
 */
function valueChecks(rules: PropertyRules): Check<unknown>[] {
  const checks: Check<unknown>[] = []
  if (rules.enum) {
    const primitives = new Set(rules.enum.filter((entry) => entry === null || typeof entry !== 'object'))
    const structured = rules.enum.filter((entry) => entry !== null && typeof entry === 'object')
    checks.push(
      structured.length === 0
        ? (value) => primitives.has(value)
        : (value) => primitives.has(value) || structured.some((entry) => equal(value, entry)),
    )
  }
  if (rules.const) {
    const expected = rules.const.value
    checks.push(
      expected !== null && typeof expected === 'object'
        ? (value) => equal(value, expected)
        : (value) => value === expected,
    )
  }
  return checks
}

function allows(rules: PropertyRules, type: 'string' | 'boolean' | 'array' | 'object'): boolean {
  return rules.types === undefined || rules.types.includes(type)
}

function stringCheck(rules: PropertyRules): Check<string> {
  if (!allows(rules, 'string')) return REJECT
  const checks: Check<string>[] = []
  const { minLength, maxLength, pattern, format } = rules
  // ajv counts code points (a surrogate pair is one character), not UTF-16 units
  if (minLength !== undefined) checks.push((text) => ucs2length(text) >= minLength)
  if (maxLength !== undefined) checks.push((text) => ucs2length(text) <= maxLength)
  if (pattern) checks.push((text) => pattern.test(text))
  if (format) checks.push(format.test)
  return every([...checks, ...valueChecks(rules)])
}

/**
 * ajv runs with strictNumbers, so NaN and ±Infinity fail `number` and `integer` alike, and its numeric
 * keywords only look at finite numbers. (Under strictTypes those keywords always come with a numeric
 * `type` that has already refused such values; the guard keeps this exact without relying on that.)
 * `multipleOf` copies ajv's test `n / m !== parseInt(n / m)` literally, quirks included (a quotient of
 * 1e21 or more fails because parseInt reads "1e+21" as 1); the radix changes nothing, since the text
 * of a number is never hexadecimal.
 */
function numberCheck(rules: PropertyRules): Check<number> {
  const { types } = rules
  let type: Check<number> = ACCEPT
  if (types?.includes('number')) type = Number.isFinite
  else if (types?.includes('integer')) type = Number.isInteger
  else if (types) return REJECT
  const limits: Check<number>[] = []
  const { minimum, maximum, exclusiveMinimum, exclusiveMaximum, multipleOf } = rules
  if (minimum !== undefined) limits.push((n) => n >= minimum)
  if (maximum !== undefined) limits.push((n) => n <= maximum)
  if (exclusiveMinimum !== undefined) limits.push((n) => n > exclusiveMinimum)
  if (exclusiveMaximum !== undefined) limits.push((n) => n < exclusiveMaximum)
  if (multipleOf !== undefined) {
    limits.push((n) => {
      const quotient = n / multipleOf
      return quotient === Number.parseInt(String(quotient), 10)
    })
  }
  const withinLimits = every(limits)
  const checks = [type, ...valueChecks(rules)]
  if (limits.length > 0) checks.push((n) => !Number.isFinite(n) || withinLimits(n))
  return every(checks)
}

function booleanCheck(rules: PropertyRules): Check<boolean> {
  return allows(rules, 'boolean') ? every(valueChecks(rules)) : REJECT
}

/**
 * A Date stands for `dateText(date)`. When the only rule on that text is `format: date-time`, the
 * verdict follows from the instant alone (see `isDateTimeDate`), so the text is never built.
 */
function dateCheck(rules: PropertyRules, onString: Check<string>): Check<Date> {
  if (onString === REJECT) return REJECT
  if (onString === ACCEPT) return ACCEPT
  const { minLength, maxLength, pattern, format } = rules
  const onlyDateTime =
    format?.name === 'date-time' &&
    minLength === undefined &&
    maxLength === undefined &&
    !pattern &&
    !rules.enum &&
    !rules.const
  return onlyDateTime ? isDateTimeDate : (date) => onString(dateText(date))
}

/**
 * What `jsonCell` makes of any other object: an array or a plain object, for which of the supported
 * keywords only `type`, `enum` and `const` apply. Functions and symbols (no decoder yields them) have
 * no JSON type, so they pass only a schema without `type`, as in ajv.
 */
function structuredCheck(rules: PropertyRules): Check<unknown> {
  const values = every(valueChecks(rules))
  const arrays = allows(rules, 'array') ? values : REJECT
  const objects = allows(rules, 'object') ? values : REJECT
  const others = rules.types === undefined ? values : REJECT
  return (value) => {
    if (typeof value === 'object' && value !== null) return Array.isArray(value) ? arrays(value) : objects(value)
    return others(value)
  }
}

/**
 * Compiles one property's rules into a check over decoded values that gives the verdict ajv would give
 * on `jsonCell(value)`, without building that value for strings, numbers, booleans, safe BigInts and
 * (for `date-time`) Dates.
 */
export function compileValueCheck(rules: PropertyRules): ValueCheck {
  const onString = stringCheck(rules)
  const onNumber = numberCheck(rules)
  const onBoolean = booleanCheck(rules)
  const onDate = dateCheck(rules, onString)
  const onOther = structuredCheck(rules)
  return (value) => {
    switch (typeof value) {
      case 'string':
        return onString(value)
      case 'number':
        return onNumber(value)
      case 'boolean':
        return onBoolean(value)
      case 'bigint':
        return isSafeBigInt(value) ? onNumber(Number(value)) : onString(value.toString())
      case 'object':
        if (value instanceof Date) return onDate(value)
        if (value instanceof Uint8Array) return onString(bytesText(value))
        return onOther(jsonCell(value))
      default:
        return onOther(value)
    }
  }
}
