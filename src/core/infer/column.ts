/**
 * One column's draft: its JSON Schema types, format and enum, its output column, and remarks for
 * the person who reviews the draft. Every decision keeps the sample valid: a type, format or enum is
 * only declared when every sample value satisfies it.
 */
import { formatTest } from '../validation/formats.js'
import {
  JSON_TYPES,
  type JsonType,
  type OutputType,
  type SourceHint,
  STRING_FORMATS,
  type StringFormat,
  textKind,
  type ValueKind,
  valueKind,
} from './kinds.js'

export interface ColumnSample {
  name: string
  /** the column's values in the sample, null and absent ones left out */
  values: readonly unknown[]
  /** rows in the sample */
  rows: number
  /** the values are CSV text read without a schema */
  csv: boolean
  hint?: SourceHint
}

export interface EnumRules {
  /** most distinct values an enum lists */
  maxValues: number
  /** fewest non-null values the sample must hold before its distinct values are taken for all */
  minCount: number
}

export interface InferredColumn {
  name: string
  /** the non-null values' JSON types; undefined when no type admits them all (nested values, NaN) */
  types?: readonly JsonType[]
  format?: StringFormat
  enum?: readonly string[]
  /** some sample row has no value (or the sample has no rows) */
  nullable: boolean
  /** undefined for nested values, which no output column type holds */
  output?: OutputType
  /** values of several types reach a string output column, which takes only strings until cast */
  needsCast: boolean
  /** named like a key, and its values are all present, distinct, integers or strings */
  keyCandidate: boolean
  /** non-null values in the sample */
  count: number
  notes: string[]
}

/** How the values type the column; `lossy` is a CSV number kept as text because it would not read back. */
interface Typing {
  types?: JsonType[]
  /** why no type restriction: nested values, NaN, or a value ajv inherits (see `inheritsValue`) */
  untyped?: 'nested' | 'nonfinite' | 'inherited'
  /** CSV `null` texts, which the reader drops from a typed column */
  nullTexts: number
  lossy?: string
}

/** Types as a schema lists them: integers fold into numbers, and a column without values is text. */
function jsonTypes(kinds: ReadonlySet<string>): JsonType[] {
  const types = JSON_TYPES.filter((type) => kinds.has(type) && !(type === 'integer' && kinds.has('number')))
  return types.length > 0 ? types : ['string']
}

function jsonTyping(values: readonly unknown[], hint: SourceHint | undefined): Typing {
  const kinds = new Set<ValueKind>(values.map(valueKind))
  if (hint !== undefined && hint !== 'nested') kinds.add(hint.json)
  if (hint === 'nested' || kinds.has('nested')) return { untyped: 'nested', nullTexts: 0 }
  if (kinds.has('nonfinite')) return { untyped: 'nonfinite', nullTexts: 0 }
  return { types: jsonTypes(kinds), nullTexts: 0 }
}

/**
 * CSV text is typed only when the reader's converter turns every text into that type without loss;
 * a column it would not (names, `007`, mixed kinds) stays text, which always reads back as written.
 */
function csvTyping(texts: readonly string[]): Typing {
  const kinds = texts.map(textKind)
  const typed = new Set(kinds.filter((kind) => kind !== 'null'))
  const numeric = typed.size > 0 && [...typed].every((kind) => kind === 'integer' || kind === 'number')
  if (numeric || (typed.size === 1 && typed.has('boolean'))) {
    return { types: jsonTypes(typed), nullTexts: kinds.filter((kind) => kind === 'null').length }
  }
  const numbersButLossy = typed.has('lossy') && [...typed].every((kind) => kind !== 'boolean' && kind !== 'string')
  return { types: ['string'], nullTexts: 0, lossy: numbersButLossy ? texts[kinds.indexOf('lossy')] : undefined }
}

/** The first format every string satisfies; a footer's format is kept only if the values agree. */
function detectFormat(strings: readonly string[], expected: StringFormat | undefined): StringFormat | undefined {
  const candidates = expected ? [expected] : strings.length > 0 ? STRING_FORMATS : []
  return candidates.find((name) => {
    const test = formatTest(name)
    return test !== undefined && strings.every((text) => test(text))
  })
}

/** More than three fraction digits: a millisecond column would cut them. */
const FINER_THAN_MS = /:\d{2}\.\d{4}/

function outputOf(
  typing: Typing,
  format: StringFormat | undefined,
  hint: SourceHint | undefined,
  strings: readonly string[],
): OutputType | undefined {
  if (typing.untyped === 'nested') return undefined
  if (hint !== undefined && hint !== 'nested' && hint.output) return hint.output
  if (format === 'date-time')
    return { type: 'timestamp', unit: strings.some((s) => FINER_THAN_MS.test(s)) ? 'us' : 'ms' }
  if (format === 'date') return { type: 'date' }
  const only = typing.types?.length === 1 ? typing.types[0] : undefined
  if (only === 'integer') return { type: 'int64' }
  if (only === 'number') return { type: 'double' }
  if (only === 'boolean') return { type: 'boolean' }
  return { type: 'string' }
}

/** `id`, `*_id`, `*Id`, `*_key`, `*uuid`: names that usually hold a key, which is no enum. */
function looksLikeKey(name: string): boolean {
  return /^id$|_id$|_key$|uuid$/i.test(name) || /[a-z\d]Id$/.test(name)
}

/** Sorted values of a text column that repeats a few values, each seen at least twice. */
function enumOf(strings: readonly string[], rules: EnumRules): string[] | undefined {
  if (strings.length < rules.minCount) return undefined
  const counts = new Map<string, number>()
  for (const text of strings) counts.set(text, (counts.get(text) ?? 0) + 1)
  if (counts.size > rules.maxValues || [...counts.values()].some((count) => count < 2)) return undefined
  return [...counts.keys()].sort()
}

/**
 * ajv looks properties up through the prototype chain, so a row without `constructor` (say) holds the
 * inherited function as far as ajv can tell: only a property without a type restriction accepts it.
 */
function inheritsValue(name: string, nullable: boolean): boolean {
  return nullable && name in Object.prototype
}

/** The column's draft; `rules` say when a text column becomes an enum. */
export function inferColumn(sample: ColumnSample, rules: EnumRules): InferredColumn {
  const { name, values, rows, csv, hint } = sample
  // CSV read without a schema holds only text
  const typing = csv ? csvTyping(values.map(String)) : jsonTyping(values, hint)
  const count = values.length - typing.nullTexts
  const nullable = count === 0 || count < rows
  const typed: Typing = {
    ...typing,
    untyped: typing.untyped ?? (inheritsValue(name, nullable) ? 'inherited' : undefined),
  }
  const types = typed.untyped ? undefined : typed.types
  const onlyType = types?.length === 1 ? types[0] : undefined
  const strings = onlyType === 'string' ? values.map(String) : []
  const expected = hint !== undefined && hint !== 'nested' ? hint.format : undefined
  const format = onlyType === 'string' ? detectFormat(strings, expected) : undefined
  const output = outputOf(typed, format, hint, strings)
  const column: InferredColumn = {
    name,
    types,
    format,
    enum: onlyType === 'string' && !format && !looksLikeKey(name) ? enumOf(strings, rules) : undefined,
    nullable,
    output,
    needsCast: output?.type === 'string' && (typing.types ?? []).some((type) => type !== 'string'),
    keyCandidate:
      looksLikeKey(name) &&
      !nullable &&
      (onlyType === 'integer' || onlyType === 'string') &&
      new Set(values).size === values.length,
    count,
    notes: [],
  }
  column.notes = columnNotes(column, typed, expected, hint)
  return column
}

const UNTYPED_NOTES: Record<NonNullable<Typing['untyped']>, string> = {
  nested: 'nested values: accepted as they are, left out of the output columns',
  nonfinite: 'NaN or Infinity in the sample, which a JSON Schema number rejects: no type restriction',
  inherited: 'named like an Object.prototype member, which ajv reads in rows without it: no type restriction',
}

function columnNotes(
  column: InferredColumn,
  typing: Typing,
  expected: StringFormat | undefined,
  hint: SourceHint | undefined,
): string[] {
  const { name, types, output } = column
  const notes = typing.untyped ? [UNTYPED_NOTES[typing.untyped]] : []
  if (column.count === 0 && hint === undefined && types)
    notes.push('no values in the sample: typed as a nullable string')
  if (typing.lossy !== undefined) {
    notes.push(`kept as text: ${JSON.stringify(typing.lossy)} would not read back as the same number`)
  }
  if (types && types.length > 1) {
    const cast = column.needsCast ? ' after a cast' : ''
    notes.push(`values of several types (${types.join(', ')}), written as ${output?.type}${cast}`)
  }
  if (types?.length === 1 && (types[0] === 'integer' || types[0] === 'number')) {
    notes.push(`${types[0]}, bounds left open`)
  }
  if (expected && !column.format) notes.push(`some values are not a valid ${expected}: no format`)
  if (output?.unit === 'us') notes.push('timestamp with microseconds')
  if (column.enum) notes.push(`enum of ${column.enum.length} values`)
  return notes.map((note) => `${name}: ${note}`)
}
