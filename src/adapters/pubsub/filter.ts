import { FerryError } from '../../errors.js'

/** Pub/Sub rejects subscription filters longer than this many bytes. */
export const MAX_FILTER_BYTES = 256

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/

/**
 * Pub/Sub subscription filter matching messages whose attributes equal all of `attributes`:
 * `attributes.kind = "dq" AND attributes."dataset-id" = "sales"`. Keys that are not plain
 * identifiers are written as quoted strings; quotes and backslashes in keys and values are escaped.
 * Returns undefined for no attributes (no filter). Throws FERRY_USAGE when over 256 bytes.
 */
export function attributeFilter(attributes: Record<string, string> | undefined): string | undefined {
  const entries = Object.entries(attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  if (entries.length === 0) return undefined
  const filter = entries
    .map(([key, value]) => `attributes.${IDENTIFIER.test(key) ? key : quote(key)} = ${quote(value)}`)
    .join(' AND ')
  const bytes = Buffer.byteLength(filter)
  if (bytes > MAX_FILTER_BYTES) {
    throw new FerryError(
      'FERRY_USAGE',
      `Pub/Sub subscription filter is ${bytes} bytes, over the ${MAX_FILTER_BYTES}-byte limit`,
      {
        context: { filter },
      },
    )
  }
  return filter
}

/** A double-quoted filter string literal. */
function quote(text: string): string {
  let out = '"'
  for (const ch of text) {
    if (ch === '"' || ch === '\\') out += `\\${ch}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\r') out += '\\r'
    else if (ch === '\t') out += '\\t'
    else out += ch
  }
  return `${out}"`
}
