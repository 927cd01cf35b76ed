import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { defaultConfig, type FerryConfig } from '../../../../src/config/load.js'
import { generateSampleNight, type SampleFile } from '../../../../src/core/sample-night.js'

export interface LocalNight {
  dir: string
  config: FerryConfig
  /** path of each generated file on disk */
  path(file: SampleFile): string
  clean: SampleFile
  invalid: SampleFile
  corrupt: SampleFile
  /** the largest clean file: several row groups */
  largest: SampleFile
}

/** A small sample night of `orders` Parquet files written to a fresh temp folder. */
export function writeLocalNight(): LocalNight {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-debug-'))
  const { files } = generateSampleNight({ date: '2026-02-17', files: 6 })
  for (const file of files) {
    mkdirSync(dirname(join(dir, file.key)), { recursive: true })
    writeFileSync(join(dir, file.key), file.bytes)
  }
  const clean = files.filter((f) => !f.expect.corrupt && f.expect.invalidRows === 0)
  return {
    dir,
    config: defaultConfig(join(dir, '.ferry')),
    path: (file) => join(dir, file.key),
    clean: clean[0]!,
    invalid: files.find((f) => f.expect.invalidRows > 0)!,
    corrupt: files.find((f) => f.expect.corrupt)!,
    largest: clean.reduce((a, b) => (b.expect.rows > a.expect.rows ? b : a)),
  }
}
