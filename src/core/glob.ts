/**
 * Glob patterns for object keys. Hand-written because the maintained glob libraries (picomatch,
 * minimatch) implement file-path semantics that are wrong for a key: they never let `*` or `**` match
 * a `.` or `..` segment, so `orders/**` would not take `orders/a/../b.csv`, which in S3 is an ordinary
 * key (measured: picomatch refuses it even with `dot: true`). Here a key is a name: `*` matches any
 * run of characters but `/`, `?` one such character, `**` any run including `/` (`a/**\/b` also
 * matches `a/b`), `[a-z]` / `[!a-z]` one character of (not of) a set, `{x,y}` one of the
 * alternatives (which may hold globs), and `\` escapes the next character. The whole key must match.
 */

const SPECIAL = /[.+^$()|\\{}[\]]/

function literal(char: string): string {
  return SPECIAL.test(char) || char === '*' || char === '?' ? `\\${char}` : char
}

/** The index of the `]` that closes the class opening at `start`, or -1. */
function classEnd(pattern: string, start: number): number {
  let i = start + 1
  if (pattern[i] === '!' || pattern[i] === '^') i++
  if (pattern[i] === ']') i++
  for (; i < pattern.length; i++) if (pattern[i] === ']') return i
  return -1
}

function charClass(body: string): string {
  const negated = body.startsWith('!') || body.startsWith('^')
  const inner = (negated ? body.slice(1) : body).replace(/[\\\]^]/g, (c) => `\\${c}`)
  // a class never matches the separator, as `*` and `?` do not
  return negated ? `[^/${inner}]` : `(?:(?!/)[${inner}])`
}

/** The alternatives of the brace group opening at `start`, split at its own top-level commas. */
function braces(pattern: string, start: number): { alternatives: string[]; end: number } | undefined {
  let depth = 0
  let from = start + 1
  const alternatives: string[] = []
  for (let i = start; i < pattern.length; i++) {
    const char = pattern[i]
    if (char === '\\') i++
    else if (char === '{') depth++
    else if (char === '}' && --depth === 0) {
      alternatives.push(pattern.slice(from, i))
      return alternatives.length > 1 ? { alternatives, end: i } : undefined
    } else if (char === ',' && depth === 1) {
      alternatives.push(pattern.slice(from, i))
      from = i + 1
    }
  }
  return undefined
}

function source(pattern: string): string {
  let out = ''
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!
    if (char === '\\') {
      out += literal(pattern[++i] ?? '\\')
    } else if (char === '*' && pattern[i + 1] === '*') {
      const atStart = i === 0 || pattern[i - 1] === '/'
      const slashAfter = pattern[i + 2] === '/'
      if (atStart && slashAfter) {
        out += '(?:.*/)?'
        i += 2
      } else if (atStart && i + 2 === pattern.length && i > 0) {
        out = `${out.slice(0, -1)}(?:/.*)?`
        i += 1
      } else {
        out += '.*'
        i += 1
      }
    } else if (char === '*') out += '[^/]*'
    else if (char === '?') out += '[^/]'
    else if (char === '[' && classEnd(pattern, i) !== -1) {
      const end = classEnd(pattern, i)
      out += charClass(pattern.slice(i + 1, end))
      i = end
    } else if (char === '{' && braces(pattern, i)) {
      const group = braces(pattern, i)!
      out += `(?:${group.alternatives.map(source).join('|')})`
      i = group.end
    } else out += literal(char)
  }
  return out
}

/** The anchored regular expression a glob stands for. */
export function globRegExp(pattern: string): RegExp {
  return new RegExp(`^${source(pattern)}$`, 'u')
}
