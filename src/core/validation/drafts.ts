import type { JsonSchema } from '../dataset.js'

export type Draft = 'draft-07' | '2019-09' | '2020-12'

/** The URIs ajv knows each draft's meta-schema by. */
export const META_SCHEMAS: Readonly<Record<Draft, string>> = {
  'draft-07': 'http://json-schema.org/draft-07/schema',
  '2019-09': 'https://json-schema.org/draft/2019-09/schema',
  '2020-12': 'https://json-schema.org/draft/2020-12/schema',
}

/** draft-07 as some schemas name it; ajv does not know this URI. */
export const DRAFT_07_HTTPS = 'https://json-schema.org/draft-07/schema'

const BY_URI = new Map<string, Draft>([
  ...(Object.entries(META_SCHEMAS) as [Draft, string][]).map(([draft, uri]): [string, Draft] => [uri, draft]),
  [DRAFT_07_HTTPS, 'draft-07'],
])

/** Every `$schema` Ferry reads, each also accepted with a trailing `#`. */
export const SUPPORTED_SCHEMAS: readonly string[] = [...BY_URI.keys()]

/** The draft a schema document declares: draft-07 when it has no `$schema`, undefined for one Ferry does not read. */
export function declaredDraft(schema: JsonSchema): Draft | undefined {
  const uri = schema.$schema
  if (uri === undefined) return 'draft-07'
  if (typeof uri !== 'string') return undefined
  return BY_URI.get(uri.endsWith('#') ? uri.slice(0, -1) : uri)
}
