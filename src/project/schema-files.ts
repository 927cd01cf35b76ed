/**
 * A dataset's row schema as files: schema.json and the sibling files its `$ref`s name
 * (`"$ref": "./common.json#/$defs/money"`). Each document is given the URI ajv resolves its relative
 * references against: its own `$id`, or else its file URL, so a reference between files resolves the
 * way a reader of the folder expects. The validators (core/validate.ts) get the root and the others.
 */
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { JsonSchema } from '../core/dataset.js'

export interface SchemaFiles {
  root: JsonSchema
  /** referenced documents by the URI the root's references resolve to */
  refs: Record<string, JsonSchema>
}

export type SchemaLoad = { ok: true; files: SchemaFiles } | { ok: false; problems: string[] }

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Every `$ref` string in a document, wherever it sits. */
function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found)
  else if (isRecord(value)) {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') found.push(inner)
      else refsIn(inner, found)
    }
  }
  return found
}

function readJson(path: string, problems: string[], label: string): JsonSchema | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    problems.push(`${label}: ${path} does not exist or cannot be read`)
    return undefined
  }
  try {
    const parsed: unknown = JSON.parse(text)
    if (isRecord(parsed)) return parsed
    problems.push(`${label}: ${path} must hold a JSON object (a JSON Schema)`)
  } catch (err) {
    problems.push(`${label}: ${path} is not valid JSON: ${(err as Error).message}`)
  }
  return undefined
}

/**
 * Reads schema.json and, transitively, every local file its references name. A reference to another
 * scheme (https:) stays as it is: ajv then reports it as unresolvable, which names it. `label` prefixes
 * problems (`schema`).
 */
export function loadSchemaFiles(path: string, label = 'schema'): SchemaLoad {
  const problems: string[] = []
  const root = readJson(path, problems, label)
  if (!root) return { ok: false, problems }
  const rootUri = typeof root.$id === 'string' ? root.$id : pathToFileURL(path).href
  const refs: Record<string, JsonSchema> = {}
  const pending: Array<{ doc: JsonSchema; base: string; file: string }> = [{ doc: root, base: rootUri, file: path }]
  while (pending.length > 0) {
    const { doc, base, file } = pending.pop()!
    for (const ref of refsIn(doc)) {
      const target = ref.split('#')[0] ?? ''
      if (target === '' || /^[a-z][a-z0-9+.-]*:/i.test(target)) continue
      const uri = new URL(target, base).href
      if (uri === rootUri || Object.hasOwn(refs, uri)) continue
      // the file beside the referring one, wherever its base URI points
      const refFile = resolve(dirname(file), decodeURIComponent(target))
      const loaded = readJson(refFile, problems, `${label} $ref ${JSON.stringify(ref)}`)
      if (!loaded) continue
      const { $id: _, ...body } = loaded
      const document = { $id: uri, ...body }
      refs[uri] = document
      pending.push({ doc: document, base: uri, file: refFile })
    }
  }
  if (problems.length > 0) return { ok: false, problems }
  return { ok: true, files: { root: root.$id === undefined ? { $id: rootUri, ...root } : root, refs } }
}
