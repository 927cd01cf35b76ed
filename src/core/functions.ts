/**
 * The built-in functions a `derive` step names in dataset.yaml (`fn: utc_date`), so that common
 * transforms need no code. Each takes the step's `from` columns as inputs and its `args`; a throw
 * rejects the row (keyword `transform`) with the message. Unless a function says otherwise, a null
 * input gives null, as in SQL. README "dataset.yaml" lists them; keep the two in step.
 */
import { createHash } from 'node:crypto'
import type { DeriveFunction } from './transform.js'
import { utcDate } from './transform-values.js'

type ArgType = 'string' | 'number' | 'integer' | 'any' | 'object' | 'regex'

interface ArgSpec {
  type: ArgType
  required?: boolean
}

interface Builtin {
  summary: string
  /** how many `from` columns it takes */
  inputs: { min: number; max: number }
  args?: Readonly<Record<string, ArgSpec>>
  /** when false the function sees nulls itself (coalesce, default...); otherwise a null input gives null */
  nullIn?: boolean
  make(args: Readonly<Record<string, unknown>>): DeriveFunction
}

const MANY = 64

function text(name: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`${name} expects text, got ${describe(value)}`)
  return value
}

function number(name: string, value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value
  if (
    typeof value === 'bigint' &&
    value <= BigInt(Number.MAX_SAFE_INTEGER) &&
    value >= -BigInt(Number.MAX_SAFE_INTEGER)
  )
    return Number(value)
  throw new TypeError(`${name} expects a number, got ${describe(value)}`)
}

function describe(value: unknown): string {
  if (value instanceof Date) return 'a timestamp'
  const shown = typeof value === 'bigint' ? `${value}` : JSON.stringify(value)
  return `${typeof value} ${String(shown).slice(0, 40)}`
}

/** Relative distance from a half within which rounding takes the exact, slower path (see roundTo). */
const HALF_MARGIN = 1e-9

/**
 * `value` rounded to `digits` decimals, half away from zero, as the decimal number reads: scaling by
 * 10^digits first gets 1.005 -> 100.49999... wrong, so a product that lies within a hair of a half is
 * first cut to the 15 significant digits a double carries faithfully. Elsewhere (nearly always) the
 * product rounds directly.
 */
export function roundTo(value: number, digits: number): number {
  const scale = 10 ** digits
  const scaled = Math.abs(value * scale)
  const fraction = scaled - Math.trunc(scaled)
  const rounded =
    Math.abs(fraction - 0.5) > HALF_MARGIN * Math.max(1, scaled)
      ? Math.round(scaled)
      : Math.round(Number(scaled.toPrecision(15)))
  const signed = value < 0 ? -rounded : rounded
  return digits === 0 ? signed : signed / scale
}

function stringOf(value: unknown): string {
  if (value instanceof Date) return value.toISOString()
  if (typeof value === 'object' && value !== null) return JSON.stringify(value)
  return String(value)
}

const EPOCH_UNITS: Readonly<Record<string, number>> = { s: 1000, ms: 1 }

export const BUILTINS: Readonly<Record<string, Builtin>> = {
  upper: {
    summary: 'text in upper case',
    inputs: { min: 1, max: 1 },
    make: () => (value) => text('upper', value).toUpperCase(),
  },
  lower: {
    summary: 'text in lower case',
    inputs: { min: 1, max: 1 },
    make: () => (value) => text('lower', value).toLowerCase(),
  },
  trim: {
    summary: 'text without leading and trailing white space',
    inputs: { min: 1, max: 1 },
    make: () => (value) => text('trim', value).trim(),
  },
  trim_to_null: {
    summary: 'trimmed text; null when nothing is left',
    inputs: { min: 1, max: 1 },
    make: () => (value) => text('trim_to_null', value).trim() || null,
  },
  replace: {
    summary: 'every match of the regular expression `pattern` replaced by `with` ($1... for groups)',
    inputs: { min: 1, max: 1 },
    args: { pattern: { type: 'regex', required: true }, with: { type: 'string' } },
    make: (args) => {
      const pattern = new RegExp(args.pattern as string, 'gu')
      const replacement = (args.with as string | undefined) ?? ''
      return (value) => text('replace', value).replace(pattern, replacement)
    },
  },
  substring: {
    summary: '`length` characters (default: the rest) from index `start` (0-based)',
    inputs: { min: 1, max: 1 },
    args: { start: { type: 'integer', required: true }, length: { type: 'integer' } },
    make: (args) => {
      const start = args.start as number
      const length = args.length as number | undefined
      return (value) => {
        const chars = [...text('substring', value)]
        return chars.slice(start, length === undefined ? undefined : start + length).join('')
      }
    },
  },
  concat: {
    summary: 'the inputs as text joined by `separator` (default none); nulls are skipped, all null gives null',
    inputs: { min: 1, max: MANY },
    args: { separator: { type: 'string' } },
    nullIn: false,
    make: (args) => {
      const separator = (args.separator as string | undefined) ?? ''
      return (...values) => {
        const present = values.filter((v) => v !== null).map(stringOf)
        return present.length === 0 ? null : present.join(separator)
      }
    },
  },
  null_if: {
    summary: 'null when the input equals `value`, else the input',
    inputs: { min: 1, max: 1 },
    args: { value: { type: 'any', required: true } },
    make: (args) => (value) => (value === args.value ? null : value),
  },
  default: {
    summary: '`value` when the input is null, else the input',
    inputs: { min: 1, max: 1 },
    args: { value: { type: 'any', required: true } },
    nullIn: false,
    make: (args) => (value) => value ?? args.value,
  },
  coalesce: {
    summary: 'the first input that is not null',
    inputs: { min: 2, max: MANY },
    nullIn: false,
    make:
      () =>
      (...values) =>
        values.find((v) => v !== null) ?? null,
  },
  constant: {
    summary: '`value` on every row (takes no input column)',
    inputs: { min: 0, max: 0 },
    args: { value: { type: 'any', required: true } },
    nullIn: false,
    make: (args) => () => args.value,
  },
  map: {
    summary: 'the input looked up in `values` (text keys); unmatched values give `default`, or stay as they are',
    inputs: { min: 1, max: 1 },
    args: { values: { type: 'object', required: true }, default: { type: 'any' } },
    make: (args) => {
      const table = new Map(Object.entries(args.values as Record<string, unknown>))
      const fallback = Object.hasOwn(args, 'default') ? { value: args.default } : undefined
      return (value) => {
        const key = stringOf(value)
        if (table.has(key)) return table.get(key)
        return fallback ? fallback.value : value
      }
    },
  },
  round: {
    summary: 'the number rounded to `digits` decimals (default 0), half away from zero, decimal-exact',
    inputs: { min: 1, max: 1 },
    args: { digits: { type: 'integer' } },
    make: (args) => {
      const digits = (args.digits as number | undefined) ?? 0
      return (value) => roundTo(number('round', value), digits)
    },
  },
  cents: {
    summary: 'hundredths of the number as an integer (12.345 -> 1235), half away from zero, decimal-exact',
    inputs: { min: 1, max: 1 },
    make: () => (value) => roundTo(number('cents', value) * 100, 0),
  },
  multiply: {
    summary: 'the input times `by`, or the product of two inputs',
    inputs: { min: 1, max: 2 },
    args: { by: { type: 'number' } },
    make: (args) => {
      const by = args.by as number | undefined
      return (first, second) => number('multiply', first) * (by ?? number('multiply', second))
    },
  },
  floor: {
    summary: 'the largest integer not above the number',
    inputs: { min: 1, max: 1 },
    make: () => (value) => Math.floor(number('floor', value)),
  },
  ceil: {
    summary: 'the smallest integer not below the number',
    inputs: { min: 1, max: 1 },
    make: () => (value) => Math.ceil(number('ceil', value)),
  },
  abs: {
    summary: 'the absolute value of the number',
    inputs: { min: 1, max: 1 },
    make: () => (value) => Math.abs(number('abs', value)),
  },
  to_number: {
    summary: 'text read as a number (a number stays as it is); anything else rejects the row',
    inputs: { min: 1, max: 1 },
    make: () => (value) => {
      if (typeof value === 'number' || typeof value === 'bigint') return value
      const trimmed = text('to_number', value).trim()
      const parsed = trimmed === '' ? Number.NaN : Number(trimmed)
      if (!Number.isFinite(parsed)) throw new TypeError(`to_number: ${describe(value)} is not a number`)
      return parsed
    },
  },
  to_string: {
    summary: 'the value as text (timestamps as RFC 3339 UTC)',
    inputs: { min: 1, max: 1 },
    make: () => (value) => stringOf(value),
  },
  utc_date: {
    summary: 'the UTC calendar date (YYYY-MM-DD) of a date-time',
    inputs: { min: 1, max: 1 },
    make: () => (value) => {
      const date = utcDate(value)
      if (date === undefined) throw new TypeError(`utc_date expects a date-time, got ${describe(value)}`)
      return date
    },
  },
  from_epoch: {
    summary: 'a timestamp from seconds or milliseconds since 1970-01-01 UTC (`unit`: s or ms, default ms)',
    inputs: { min: 1, max: 1 },
    args: { unit: { type: 'string' } },
    make: (args) => {
      const scale = EPOCH_UNITS[(args.unit as string | undefined) ?? 'ms'] ?? 1
      return (value) => {
        const date = new Date(number('from_epoch', value) * scale)
        if (Number.isNaN(date.getTime())) throw new RangeError(`from_epoch: ${describe(value)} is out of range`)
        return date
      }
    },
  },
  sha256: {
    summary: 'hex SHA-256 of the inputs as text (joined by a unit separator), e.g. to pseudonymise an id',
    inputs: { min: 1, max: MANY },
    make: () => {
      return (...values) => createHash('sha256').update(values.map(stringOf).join('\u001f')).digest('hex')
    },
  },
}

function argProblem(name: string, spec: ArgSpec, value: unknown): string | undefined {
  switch (spec.type) {
    case 'string':
      return typeof value === 'string' ? undefined : `args.${name} must be text`
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? undefined : `args.${name} must be a number`
    case 'integer':
      return Number.isInteger(value) && (value as number) >= 0 ? undefined : `args.${name} must be a whole number >= 0`
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? undefined
        : `args.${name} must be a mapping`
    case 'regex':
      if (typeof value !== 'string') return `args.${name} must be a regular expression as text`
      try {
        new RegExp(value, 'u')
        return undefined
      } catch (err) {
        return `args.${name} is not a valid regular expression: ${(err as Error).message}`
      }
    case 'any':
      return undefined
  }
}

/** What is wrong with calling `fn` on `inputs` columns with `args`, as `<field>: <problem>` lines. */
export function functionProblems(fn: string, inputs: number, args: Readonly<Record<string, unknown>>): string[] {
  const builtin = Object.hasOwn(BUILTINS, fn) ? BUILTINS[fn] : undefined
  if (!builtin) return [`fn: unknown function ${JSON.stringify(fn)} (one of ${Object.keys(BUILTINS).join(', ')})`]
  const problems: string[] = []
  const { min, max } = builtin.inputs
  if (inputs < min || inputs > max) {
    const wanted = min === max ? `${min}` : max === MANY ? `at least ${min}` : `${min} or ${max}`
    problems.push(`from: ${fn} takes ${wanted} input column(s), got ${inputs}`)
  }
  const specs = builtin.args ?? {}
  for (const [name, value] of Object.entries(args)) {
    const spec = specs[name]
    if (!spec) {
      const known = Object.keys(specs)
      problems.push(`args.${name}: ${fn} has no such argument${known.length ? ` (it takes ${known.join(', ')})` : ''}`)
      continue
    }
    const problem = argProblem(name, spec, value)
    if (problem) problems.push(problem)
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.required && !Object.hasOwn(args, name)) problems.push(`args.${name}: required by ${fn}`)
  }
  if (fn === 'multiply' && inputs === 1 && !Object.hasOwn(args, 'by')) problems.push('args.by: required with one input')
  if (fn === 'multiply' && inputs === 2 && Object.hasOwn(args, 'by')) problems.push('args.by: not used with two inputs')
  if (fn === 'from_epoch' && args.unit !== undefined && !Object.hasOwn(EPOCH_UNITS, String(args.unit))) {
    problems.push('args.unit: must be s or ms')
  }
  return problems
}

/** The derive function for a call `functionProblems` found nothing wrong with. */
export function builtinDerive(fn: string, args: Readonly<Record<string, unknown>>): DeriveFunction {
  const builtin = BUILTINS[fn]
  if (!builtin) throw new RangeError(`unknown function ${fn}`)
  const compute = builtin.make(args)
  if (builtin.nullIn === false) return compute
  // called once per row: the one- and two-input cases avoid a rest array per call
  if (builtin.inputs.max === 1) return (value) => (value === null ? null : compute(value))
  if (builtin.inputs.max === 2) {
    return (first, second) => (first === null || second === null ? null : compute(first, second))
  }
  return (...values) => (values.some((v) => v === null) ? null : compute(...values))
}
