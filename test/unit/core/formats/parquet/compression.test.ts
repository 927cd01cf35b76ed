/** Choosing the output compression: configuration, dataset.yaml, and which one wins. */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { outputCodecs } from '../../../../../src/app/wiring.js'
import { loadConfig } from '../../../../../src/config/load.js'
import { ConfigError } from '../../../../../src/errors.js'
import { loadDatasets } from '../../../../../src/project/load.js'

const emptyDir = () => mkdtempSync(join(tmpdir(), 'ferry-compression-'))

function configProblems(env: NodeJS.ProcessEnv, file?: string): string[] {
  const cwd = emptyDir()
  if (file) writeFileSync(join(cwd, 'ferry.config.yaml'), file)
  try {
    loadConfig({ cwd, env })
  } catch (err) {
    return (err as ConfigError).problems
  }
  return []
}

/** A project with one dataset per entry: its name and the `compression:` line, if any. */
function project(datasets: Record<string, string | undefined>): string {
  const root = emptyDir()
  for (const [name, compression] of Object.entries(datasets)) {
    const dir = join(root, 'datasets', name)
    mkdirSync(dir, { recursive: true })
    writeFileSync(join(dir, 'schema.json'), JSON.stringify({ type: 'object', properties: { id: { type: 'string' } } }))
    const yaml = [`keys: ["${name}/**"]`, 'columns:', '  - { name: id, type: string }']
    if (compression !== undefined) yaml.push(`compression: ${compression}`)
    writeFileSync(join(dir, 'dataset.yaml'), `${yaml.join('\n')}\n`)
  }
  return root
}

describe('output compression', () => {
  it('is zstd by default, set by output.compression or FERRY_OUTPUT_COMPRESSION (which wins)', () => {
    expect(loadConfig({ cwd: emptyDir(), env: {} }).output.compression).toBe('zstd')
    const cwd = emptyDir()
    writeFileSync(join(cwd, 'ferry.config.yaml'), 'output: { compression: gzip }\n')
    expect(loadConfig({ cwd, env: {} }).output.compression).toBe('gzip')
    expect(loadConfig({ cwd, env: { FERRY_OUTPUT_COMPRESSION: 'none' } }).output.compression).toBe('none')
  })

  it('refuses a codec Ferry does not write, naming the field and the choices', () => {
    const expected = 'output.compression: must be equal to one of the allowed values (zstd, snappy, gzip, none)'
    expect(configProblems({ FERRY_OUTPUT_COMPRESSION: 'lz4' })).toEqual([expected])
    expect(configProblems({}, 'output: { compression: ZSTD }\n')).toEqual([expected])
  })

  it("takes a dataset's compression: from dataset.yaml and reports a wrong one with its line", () => {
    const root = project({ plain: undefined, small: 'gzip' })
    const specs = loadDatasets(join(root, 'datasets'), root)
    expect(Object.fromEntries(specs.map((spec) => [spec.name, spec.compression]))).toEqual({
      plain: undefined,
      small: 'gzip',
    })
    const broken = project({ odd: 'brotli' })
    expect(() => loadDatasets(join(broken, 'datasets'), broken)).toThrow(ConfigError)
    try {
      loadDatasets(join(broken, 'datasets'), broken)
    } catch (err) {
      expect((err as ConfigError).problems.join('\n')).toMatch(
        /dataset\.yaml:4: compression: must be one of "zstd", "snappy", "gzip", "none"/,
      )
    }
  })

  it("gives each dataset its own codec, else the configuration's", () => {
    const datasets = [
      { name: 'a' },
      { name: 'b', compression: 'snappy' as const },
      { name: 'c', compression: 'none' as const },
    ]
    expect(outputCodecs(datasets, 'zstd')).toEqual({ a: 'ZSTD', b: 'SNAPPY', c: 'UNCOMPRESSED' })
    expect(outputCodecs(datasets, 'gzip')).toMatchObject({ a: 'GZIP' })
  })
})
