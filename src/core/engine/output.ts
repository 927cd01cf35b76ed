import type { OutputColumn } from '../formats/columns.js'
import { type ByteSink, ParquetStreamWriter, type WriteCodec } from '../formats/parquet.js'

export interface OutputOptions {
  /** the smallest row group written, except the last; default 65,536 rows */
  rowGroupRows?: number
  codec?: WriteCodec
}

const DEFAULT_ROW_GROUP_ROWS = 65_536

/**
 * The output Parquet, written a row group at a time. Batches at least `rowGroupRows` long become a
 * row group each, as they come; smaller ones (files written with small row groups) are gathered
 * until there are that many rows, so the output does not inherit tiny row groups. At most one row
 * group's values are ever held.
 */
export class OutputStage {
  private readonly writer: ParquetStreamWriter
  private readonly columns: readonly OutputColumn[]
  private readonly rowGroupRows: number
  private pending: unknown[][] | undefined
  private pendingRows = 0

  constructor(columns: readonly OutputColumn[], sink: ByteSink, options: OutputOptions = {}) {
    this.columns = columns
    this.writer = new ParquetStreamWriter(columns, sink, { codec: options.codec })
    this.rowGroupRows = options.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS
  }

  /** Adds `rows` rows of the columns: those at `selection` (indexes into each column), or the first `rows`. */
  async add(values: readonly ArrayLike<unknown>[], rows: number, selection?: Int32Array): Promise<void> {
    if (rows === 0) return
    if (!this.pending && rows >= this.rowGroupRows) {
      await this.writer.write(values, rows, selection)
      return
    }
    this.pending ??= this.columns.map(() => [])
    const pending = this.pending
    for (const [index, column] of pending.entries()) {
      const source = values[index]!
      for (let i = 0; i < rows; i++) column.push(source[selection ? selection[i]! : i])
    }
    this.pendingRows += rows
    if (this.pendingRows >= this.rowGroupRows) await this.flush()
  }

  /** Writes what is pending and the footer. */
  async finish(): Promise<void> {
    await this.flush()
    await this.writer.finish()
  }

  private async flush(): Promise<void> {
    if (!this.pending) return
    const pending = this.pending
    const rows = this.pendingRows
    this.pending = undefined
    this.pendingRows = 0
    await this.writer.write(pending, rows)
  }
}
