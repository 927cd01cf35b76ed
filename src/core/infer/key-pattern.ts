/** The key pattern a drafted dataset (`ferry infer`) starts from. Pure. */

/** Dates, times and sequence numbers: the parts of a key that change from night to night. */
const VARIABLE = /[0-9][0-9._:T-]*[0-9]|[0-9]/g

function generalise(text: string): string {
  return text.replace(VARIABLE, '*').replace(/\*+/g, '*')
}

/**
 * A glob for keys like the sample's, so tomorrow's file matches too: in the file name every run of
 * digits (with the date and time punctuation between them) becomes a wildcard; a folder changes the
 * same way when it is a date or number (`2026-11-23`, `dt=2026-11-23`, `23`), not when a digit is part
 * of a name (`v2`). A local file stands for a key in any folder.
 */
export function keyPattern(key: string, local: boolean): string {
  const segments = key.split('/')
  const file = segments.pop() ?? key
  const folders = segments.map((s) => (/^(?:[^0-9=]+=)?[0-9._:T-]+$|[0-9]{4}/.test(s) ? generalise(s) : s))
  const stemEnd = file.search(/(\.[A-Za-z][A-Za-z0-9]*)+$/)
  const stem = stemEnd === -1 ? file : file.slice(0, stemEnd)
  const ext = stemEnd === -1 ? '' : file.slice(stemEnd)
  const path = [...folders, `${generalise(stem)}${ext}`].join('/')
  return local || folders.length === 0 ? `**/${path}` : path
}
