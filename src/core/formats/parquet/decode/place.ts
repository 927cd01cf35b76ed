/** Where in a file a page is, for the messages of the errors about it. */
import { FormatError } from '../../../../errors.js'

/** A column chunk. */
export interface ChunkPlace {
  /** the top-level column the chunk belongs to */
  column: string
  rowGroup: number
  /** the chunk's first byte in the file */
  start: number
  /** the leaf's dotted path, when it is not the top-level column the reader names */
  leaf?: string
}

/** A page of a chunk: its index in the chunk, its first byte in the file and, once read, its type. */
export interface PagePlace extends ChunkPlace {
  index: number
  at: number
  type?: string
}

export function describePage(place: PagePlace): string {
  const leaf = place.leaf === undefined ? '' : `, leaf ${place.leaf}`
  const type = place.type === undefined ? '' : `${place.type} `
  return `row group ${place.rowGroup}${leaf}, page ${place.index} (${type}at byte ${place.at})`
}

/** The page with its column first, for messages that do not go out under the column's name. */
export function describeColumnPage(place: PagePlace): string {
  return `column ${place.column}, ${describePage(place)}`
}

/** `problem in <page>: detail`, e.g. `dictionary index out of range in row group 0, page 2 (...): ...`. */
export function pageError(place: PagePlace, problem: string, detail?: string, cause?: unknown): FormatError {
  const context = { rowGroup: place.rowGroup, leaf: place.leaf, page: place.index, byte: place.at }
  return new FormatError(`${problem} in ${describePage(place)}${detail === undefined ? '' : `: ${detail}`}`, {
    cause,
    context,
  })
}

/** `detail in row group R (column chunk at byte S)`: a problem of the chunk as a whole. */
export function chunkError(place: ChunkPlace, detail: string): FormatError {
  const leaf = place.leaf === undefined ? '' : `, leaf ${place.leaf}`
  return new FormatError(`${detail} in row group ${place.rowGroup}${leaf} (column chunk at byte ${place.start})`, {
    context: { rowGroup: place.rowGroup, leaf: place.leaf, byte: place.start },
  })
}
