/**
 * Repetition and definition levels: decoded, and checked against the column's schema before any
 * decoder assembles values by them. hyparquet trusts them: a definition level above the maximum
 * reads as a null, and a repetition level continuing a list that does not exist misplaces values.
 */
import type { SchemaTree } from 'hyparquet'
import { FormatError } from '../../../../errors.js'
import { PageReader, readHybrid } from './pages.js'
import { type PagePlace, pageError } from './place.js'

/** A leaf column's levels, from its path in the schema. */
export interface ColumnLevels {
  maxDef: number
  maxRep: number
  /**
   * For each repetition level r (index r - 1), the definition level from which the list repeated at
   * that level holds an element: a value continuing that list must be defined at least that far.
   */
  listDef: readonly number[]
}

/** The levels of the leaf at the end of `path` (the root first, as hyparquet's `getSchemaPath` gives it). */
export function columnLevels(path: readonly SchemaTree[]): ColumnLevels {
  let maxDef = 0
  const listDef: number[] = []
  for (const { element } of path.slice(1)) {
    if (element.repetition_type !== 'REQUIRED') maxDef++
    if (element.repetition_type === 'REPEATED') listDef.push(maxDef)
  }
  return { maxDef, maxRep: listDef.length, listDef }
}

function bitWidth(max: number): number {
  return 32 - Math.clz32(max)
}

/**
 * `count` levels of at most `max` from `bytes[start, end)`. Throws FormatError naming the page.
 */
export function readLevels(
  bytes: Uint8Array,
  start: number,
  end: number,
  max: number,
  count: number,
  which: 'repetition' | 'definition',
  place: PagePlace,
): Uint8Array {
  const levels = new Uint8Array(count)
  let largest: number
  try {
    largest = readHybrid(new PageReader(bytes, start, end), bitWidth(max), levels, 0, count)
  } catch (err) {
    if (!(err instanceof FormatError)) throw err
    throw pageError(place, `damaged ${which} levels`, err.message, err)
  }
  if (largest > max) {
    throw pageError(place, `${which} level out of range`, `found ${largest}, the column's maximum is ${max}`)
  }
  return levels
}

/**
 * Checks that the levels of one page describe lists that exist: a value that repeats at level r
 * continues a list that the value before it (on this page or the chunk's previous one) entered, and
 * is itself inside that list. `previousDef` is the definition level of the chunk's last value so far
 * (-1 before its first). Returns the definition level of the page's last value.
 */
export function checkNesting(
  rep: Uint8Array,
  def: Uint8Array | undefined,
  levels: ColumnLevels,
  previousDef: number,
  place: PagePlace,
): number {
  let before = previousDef
  for (let i = 0; i < rep.length; i++) {
    const r = rep[i]!
    const d = def ? def[i]! : levels.maxDef
    if (r > 0) {
      const needed = levels.listDef[r - 1]!
      const problem =
        before < 0
          ? 'but the column chunk starts there'
          : before < needed
            ? `that ${i === 0 ? "the previous page's last value" : `value ${i - 1}`} left empty or null (definition level ${before}, the list needs ${needed})`
            : d < needed
              ? `but is not inside it (definition level ${d}, the list needs ${needed})`
              : undefined
      if (problem)
        throw pageError(place, 'repetition levels out of order', `value ${i} continues a level-${r} list ${problem}`)
    }
    before = d
  }
  return before
}
