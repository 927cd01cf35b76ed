/**
 * Ferry's only door to Parquet: everything outside src/core/formats/parquet/ imports from here, so the
 * libraries behind it (hyparquet to read, Ferry's own encoder to write) can be swapped in one place.
 */
export {
  type ColumnInfo,
  describeColumns,
  describeLogicalType,
  type ParquetFileInfo,
  parseFooter,
} from './parquet/footer.js'
export { type ByteSink, bytesReader, memorySink, type RangeReader } from './parquet/io.js'
export {
  type BatchOptions,
  type ColumnBatch,
  type OpenOptions,
  openParquet,
  type ParquetInput,
  parquetMetadata,
  type RowBatch,
  readParquet,
  readParquetRows,
} from './parquet/read.js'
export { ParquetStreamWriter, type WriteCodec, type WriteOptions, writeParquet } from './parquet/write.js'
