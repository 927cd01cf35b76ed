/**
 * Which dataset takes an object key. A dataset lists glob patterns (glob.ts: `*` within a path
 * segment, `**` across segments, `{a,b}`, `[0-9]`; the whole key must match) and regular expressions
 * (searched anywhere in the key unless anchored). When several datasets take a key, the one with the
 * highest `priority` wins, then the first name in alphabetical order: a rule that does not depend on
 * the order folders are listed in, and that `ferry datasets --match` shows.
 */
import { globRegExp } from './glob.js'

export interface KeyMatcher {
  kind: 'glob' | 'regex'
  /** as the user wrote it */
  pattern: string
  regex: RegExp
}

/** Anything with the fields key matching reads. */
export interface Matchable {
  name: string
  keys: readonly KeyMatcher[]
  priority: number
}

/**
 * A matcher from glob text, a RegExp or a `{ glob }` / `{ regex }` entry of dataset.yaml. Throws
 * SyntaxError for a regular expression that does not compile.
 */
export function keyMatcher(key: string | RegExp | KeyMatcher | { glob: string } | { regex: string }): KeyMatcher {
  if (key instanceof RegExp) return { kind: 'regex', pattern: key.source, regex: new RegExp(key.source, key.flags) }
  if (typeof key === 'string') return globMatcher(key)
  if ('kind' in key) return key
  if ('glob' in key) return globMatcher(key.glob)
  return { kind: 'regex', pattern: key.regex, regex: new RegExp(key.regex, 'u') }
}

function globMatcher(pattern: string): KeyMatcher {
  return { kind: 'glob', pattern, regex: globRegExp(pattern) }
}

/**
 * Whether the key matches. `search` rather than `test`, so a pattern with the `g` or `y` flag does not
 * carry `lastIndex` from one key to the next.
 */
export function keyMatches(matcher: KeyMatcher, key: string): boolean {
  return key.search(matcher.regex) !== -1
}

export interface KeyMatch<T extends Matchable> {
  dataset: T
  /** the first of the dataset's patterns that matched */
  matcher: KeyMatcher
}

/** Every dataset that takes the key, the winner first (see the module comment). */
export function matchDatasets<T extends Matchable>(datasets: readonly T[], key: string): KeyMatch<T>[] {
  const matches: KeyMatch<T>[] = []
  for (const dataset of datasets) {
    const matcher = dataset.keys.find((m) => keyMatches(m, key))
    if (matcher) matches.push({ dataset, matcher })
  }
  return matches.sort(
    (a, b) =>
      b.dataset.priority - a.dataset.priority ||
      (a.dataset.name < b.dataset.name ? -1 : a.dataset.name > b.dataset.name ? 1 : 0),
  )
}

/** The dataset that takes the key, or undefined. */
export function findDataset<T extends Matchable>(datasets: readonly T[], key: string): T | undefined {
  return matchDatasets(datasets, key)[0]?.dataset
}

/** One line on why `winner` took a key the others also match, for logs and `ferry datasets --match`. */
export function resolutionReason<T extends Matchable>(matches: readonly KeyMatch<T>[]): string {
  const [winner, runnerUp] = matches
  if (!winner) return 'no dataset matches'
  if (!runnerUp) return `only ${winner.dataset.name} matches`
  return winner.dataset.priority !== runnerUp.dataset.priority
    ? `${winner.dataset.name} has the highest priority (${winner.dataset.priority})`
    : `${winner.dataset.name} comes first by name among datasets of priority ${winner.dataset.priority}`
}
