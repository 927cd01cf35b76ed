/**
 * The reader's checks of a footer's row groups: that its column chunks are the schema's leaves,
 * each once, of the schema's type, inside the file, in a codec Ferry decodes, and that the counts
 * agree (rows per row group and file; a flat column holds one value per row).
 */
import { type FileMetaData, parquetSchema } from 'hyparquet'
import { FormatError, UnsupportedError } from '../../../errors.js'
import { READABLE_CODECS } from './codecs.js'
import { leafNames, leafPath } from './schema.js'

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER)

function layoutError(group: number, path: string, problem: string): FormatError {
  return new FormatError(`corrupt Parquet footer: row group ${group}, column ${path}: ${problem}`, {
    context: { rowGroup: group, column: path },
  })
}

/** Catches footers that decode but describe data the file does not hold, or that Ferry cannot read. */
export function checkLayout(metadata: FileMetaData, byteLength: number): void {
  const dataEnd = BigInt(byteLength - 8 - metadata.metadata_length)
  const tree = parquetSchema(metadata)
  const leaves = leafNames(tree)
  let groupRows = 0n
  for (const [index, group] of metadata.row_groups.entries()) {
    const rows = group.num_rows
    if (rows < 0n || rows > MAX_SAFE)
      throw new FormatError(`corrupt Parquet footer: row group ${index} has ${rows} rows`)
    groupRows += rows
    const seen = new Set<string>()
    for (const chunk of group.columns) {
      const meta = chunk.meta_data
      const path = meta?.path_in_schema.join('.') ?? '?'
      if (chunk.crypto_metadata || chunk.encrypted_column_metadata) {
        throw new UnsupportedError(
          'parquet-encryption',
          `column ${path} is encrypted; encrypted columns are not supported`,
        )
      }
      if (!meta) throw new FormatError(`corrupt Parquet footer: row group ${index} has a column chunk without metadata`)
      const leaf = leafPath(tree, meta.path_in_schema)?.at(-1)
      if (!leaf) throw layoutError(index, path, 'no leaf of the schema has that path')
      if (seen.has(path)) throw layoutError(index, path, 'the row group holds two chunks of it')
      seen.add(path)
      if (meta.type !== leaf.element.type) {
        const found = meta.type ?? 'values of an unknown type'
        throw layoutError(index, path, `the chunk holds ${found}, the schema says ${leaf.element.type}`)
      }
      const converted = leaf.element.converted_type
      if (converted === 'BSON' || converted === 'INTERVAL') {
        throw new UnsupportedError(
          `parquet-${converted.toLowerCase()}`,
          `column ${path} holds ${converted} values, which Ferry does not read`,
        )
      }
      if (!READABLE_CODECS.has(meta.codec)) {
        throw new UnsupportedError(
          `parquet-codec-${String(meta.codec).toLowerCase()}`,
          `column ${path} uses ${meta.codec ?? 'an unknown'} compression; Ferry reads ${[...READABLE_CODECS].join(', ')}`,
        )
      }
      // some writers store 0 for "no dictionary"; hyparquet reads those from the data page, and so do we
      const start = meta.dictionary_page_offset || meta.data_page_offset
      const size = meta.total_compressed_size
      if (start < 4n || size < 0n || start + size > dataEnd) {
        throw layoutError(index, path, `its ${size} bytes from byte ${start} are not within the file's data`)
      }
      if (meta.num_values < 0n || meta.num_values > MAX_SAFE)
        throw layoutError(index, path, `${meta.num_values} values`)
      const flat = meta.path_in_schema.length === 1 && leaf.element.repetition_type !== 'REPEATED'
      if (flat ? meta.num_values !== rows : meta.num_values < rows) {
        throw layoutError(index, path, `${meta.num_values} values in a row group of ${rows} rows`)
      }
    }
    const missing = leaves.find((name) => !seen.has(name))
    if (missing) throw layoutError(index, missing, 'the row group has no chunk of it')
  }
  if (groupRows !== metadata.num_rows) {
    throw new FormatError(
      `corrupt Parquet footer: row groups hold ${groupRows} rows but the footer says ${metadata.num_rows}`,
    )
  }
}
