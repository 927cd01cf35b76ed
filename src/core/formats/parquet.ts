/**
 * Ferry's only door to Parquet: everything outside src/core/formats/parquet/ imports from here, so the
 * libraries behind it (hyparquet to read, hyparquet-writer to write) can be swapped in one place.
 */
export type { ColumnInfo, ParquetFileInfo } from './parquet/footer.js'
export { parquetMetadata, type RowBatch, readParquet, readParquetRows } from './parquet/read.js'
export { type WriteOptions, writeParquet } from './parquet/write.js'
