import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { UsageError } from '../../../src/errors.js'
import { initProject } from '../../../src/project/init.js'
import { loadDatasets } from '../../../src/project/load.js'

describe('initProject', () => {
  it('writes a project whose datasets load, with a .gitignore and the schema editors read', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ferry-init-')), 'my-ferry')
    const { written } = initProject(dir)
    expect(written).toEqual([
      '.gitignore',
      'README.md',
      'dataset.schema.json',
      'datasets/orders/dataset.yaml',
      'datasets/orders/schema.json',
      'datasets/orders/tests/basic/case.yaml',
      'datasets/orders/tests/basic/expected.ndjson',
      'datasets/orders/tests/basic/input.csv',
      'datasets/orders/tests/basic/rejected.ndjson',
      'ferry.config.yaml',
    ])
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toContain('.ferry/')
    const yaml = readFileSync(join(dir, 'datasets/orders/dataset.yaml'), 'utf8')
    const modeline = /^# yaml-language-server: \$schema=(.+)$/m.exec(yaml)?.[1]
    expect(modeline).toBe('../../dataset.schema.json')
    expect(existsSync(join(dir, 'datasets/orders', modeline!))).toBe(true)
    expect(loadDatasets(join(dir, 'datasets'), dir).map((d) => d.name)).toEqual(['orders'])
  })

  it('refuses to overwrite files without force, naming them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ferry-init-'))
    writeFileSync(join(dir, 'ferry.config.yaml'), 'mine: true\n')
    expect(() => initProject(dir)).toThrow(UsageError)
    expect(() => initProject(dir)).toThrow(/already holds ferry\.config\.yaml; use --force/)
    expect(readFileSync(join(dir, 'ferry.config.yaml'), 'utf8')).toBe('mine: true\n')
    initProject(dir, { force: true })
    expect(readFileSync(join(dir, 'ferry.config.yaml'), 'utf8')).toContain('datasets: ./datasets')
  })
})
