/**
 * The page limits of one read of a file: what a page declares is checked before any of it is
 * decompressed or decoded, so a small file whose headers claim gigabytes ends with a LimitError
 * naming the setting, not with gigabytes allocated.
 */
import { overLimit } from '../../../engine/limits.js'

export interface PageLimits {
  /** one page's declared uncompressed size; its values at 8 bytes each count too */
  maxPageBytes?: number
  /** every page's declared uncompressed size together, after what `spent` already counted */
  maxDecompressedBytes?: number
}

/** The widest a decoded level or value gets in memory (a JavaScript array slot), for the page limit. */
const BYTES_PER_VALUE = 8

export class PageBudget {
  private readonly limits: PageLimits
  private spent: number
  private readonly inflated: number

  /** `inflated`: bytes already counted against maxDecompressedBytes (a gzipped file's inflated size). */
  constructor(limits: PageLimits = {}, inflated = 0) {
    this.limits = limits
    this.spent = inflated
    this.inflated = inflated
  }

  /**
   * Counts a page that declares `bytes` uncompressed and `values` levels or values. `where` names
   * the page. Throws LimitError (FERRY_LIMIT) naming the limit passed.
   */
  charge(bytes: number, values: number, where: string): void {
    const { maxPageBytes, maxDecompressedBytes } = this.limits
    if (maxPageBytes !== undefined) {
      if (bytes > maxPageBytes) {
        throw overLimit(
          'maxPageBytes',
          `${where} declares ${bytes} bytes uncompressed, over the ${maxPageBytes}-byte page limit`,
          {
            pageBytes: bytes,
            maxPageBytes,
          },
        )
      }
      if (values * BYTES_PER_VALUE > maxPageBytes) {
        throw overLimit(
          'maxPageBytes',
          `${where} declares ${values} values, at least ${values * BYTES_PER_VALUE} bytes decoded, over the ${maxPageBytes}-byte page limit`,
          { pageValues: values, maxPageBytes },
        )
      }
    }
    this.spent += bytes
    if (maxDecompressedBytes !== undefined && this.spent > maxDecompressedBytes) {
      const what = this.inflated > 0 ? 'the file inflates to and its pages declare' : "the file's pages declare"
      throw overLimit(
        'maxDecompressedBytes',
        `${what} ${this.spent} bytes uncompressed by ${where}, over the ${maxDecompressedBytes}-byte limit`,
        { decompressedBytes: this.spent, maxDecompressedBytes },
      )
    }
  }
}
