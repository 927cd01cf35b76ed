import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { BUILTINS, builtinDerive, functionProblems, roundTo } from '../../../src/core/functions.js'
import datasetSchema from '../../../src/schemas/dataset.schema.json' with { type: 'json' }

const call = (fn: string, args: Record<string, unknown>, ...inputs: unknown[]) => builtinDerive(fn, args)(...inputs)

describe('built-in derive functions', () => {
  it('are exactly the ones dataset.schema.json offers editors', () => {
    const offered = datasetSchema.definitions.step.oneOf[3]!.properties!.fn!.enum
    expect([...(offered as string[])].sort()).toEqual(Object.keys(BUILTINS).sort())
  })

  it.each([
    ['upper', {}, ['de'], 'DE'],
    ['lower', {}, ['DE'], 'de'],
    ['trim', {}, ['  a b  '], 'a b'],
    ['trim_to_null', {}, ['  x '], 'x'],
    ['trim_to_null', {}, ['   '], null],
    ['replace', { pattern: '\\s+', with: '-' }, ['a  b c'], 'a-b-c'],
    ['replace', { pattern: '(\\d+)-(\\d+)', with: '$2/$1' }, ['12-34'], '34/12'],
    ['substring', { start: 1, length: 2 }, ['abcd'], 'bc'],
    ['substring', { start: 2 }, ['ab😀cd'], '😀cd'],
    ['concat', { separator: ' ' }, ['a', null, 'c'], 'a c'],
    ['concat', {}, [null, null], null],
    ['null_if', { value: 'N/A' }, ['N/A'], null],
    ['null_if', { value: 'N/A' }, ['x'], 'x'],
    ['default', { value: 'none' }, [null], 'none'],
    ['coalesce', {}, [null, 'b', 'c'], 'b'],
    ['constant', { value: 42 }, [], 42],
    ['map', { values: { M: 'male', F: 'female' } }, ['F'], 'female'],
    ['map', { values: { M: 'male' } }, ['X'], 'X'],
    ['map', { values: { M: 'male' }, default: null }, ['X'], null],
    ['round', { digits: 2 }, [1.005], 1.01],
    ['round', {}, [-2.5], -3],
    ['cents', {}, [1.005], 101],
    ['cents', {}, [0.1 + 0.2], 30],
    ['multiply', { by: 100 }, [1.5], 150],
    ['multiply', {}, [3, 4], 12],
    ['floor', {}, [1.9], 1],
    ['ceil', {}, [1.1], 2],
    ['abs', {}, [-3], 3],
    ['to_number', {}, [' 12.5 '], 12.5],
    ['to_string', {}, [new Date('2026-11-23T10:00:00Z')], '2026-11-23T10:00:00.000Z'],
    ['utc_date', {}, ['2026-11-24T00:30:00+01:00'], '2026-11-23'],
    ['utc_date', {}, [new Date('2026-11-23T23:59:59.999Z')], '2026-11-23'],
  ])('%s(%j) of %j is %j', (fn, args, inputs, expected) => {
    expect(call(fn, args, ...inputs)).toEqual(expected)
  })

  it('hashes the inputs as text, joined by a unit separator', () => {
    const hex = (text: string) => createHash('sha256').update(text).digest('hex')
    expect(call('sha256', {}, 'C-1')).toBe(hex('C-1'))
    expect(call('sha256', {}, 'a', 12)).toBe(hex('a\u001f12'))
    expect(call('sha256', {}, 'ab', 'c')).not.toBe(call('sha256', {}, 'a', 'bc'))
  })

  it('gives null for a null input unless the function handles nulls itself', () => {
    expect(call('upper', {}, null)).toBeNull()
    expect(call('cents', {}, null)).toBeNull()
    expect(call('multiply', {}, 2, null)).toBeNull()
    expect(call('default', { value: 0 }, null)).toBe(0)
  })

  it('turns epoch seconds and milliseconds into timestamps', () => {
    expect(call('from_epoch', { unit: 's' }, 1_763_892_000)).toEqual(new Date('2025-11-23T10:00:00Z'))
    expect(call('from_epoch', {}, 1_763_892_000_123)).toEqual(new Date('2025-11-23T10:00:00.123Z'))
  })

  it('throws, rejecting the row, for an input of the wrong kind', () => {
    expect(() => call('upper', {}, 12)).toThrow('upper expects text, got number 12')
    expect(() => call('cents', {}, '1.5')).toThrow('cents expects a number')
    expect(() => call('utc_date', {}, 'yesterday')).toThrow('utc_date expects a date-time')
    expect(() => call('to_number', {}, 'abc')).toThrow('is not a number')
  })

  it('rounds half away from zero as the decimal reads, not as the double is stored', () => {
    expect(roundTo(1.005, 2)).toBe(1.01)
    expect(roundTo(2.675, 2)).toBe(2.68)
    expect(roundTo(-1.005, 2)).toBe(-1.01)
    expect(roundTo(1.0049, 2)).toBe(1)
    expect(roundTo(123.456, 0)).toBe(123)
  })
})

describe('functionProblems', () => {
  it('accepts a well-formed call', () => {
    expect(functionProblems('replace', 1, { pattern: 'a', with: 'b' })).toEqual([])
    expect(functionProblems('coalesce', 3, {})).toEqual([])
  })

  it('names an unknown function and lists the known ones', () => {
    expect(functionProblems('uper', 1, {})).toEqual([
      expect.stringMatching(/^fn: unknown function "uper" \(one of upper, lower/),
    ])
  })

  it('names wrong input counts, unknown, missing and ill-typed arguments', () => {
    expect(functionProblems('upper', 2, {})).toEqual(['from: upper takes 1 input column(s), got 2'])
    expect(functionProblems('coalesce', 1, {})).toEqual(['from: coalesce takes at least 2 input column(s), got 1'])
    expect(functionProblems('upper', 1, { x: 1 })).toEqual(['args.x: upper has no such argument'])
    expect(functionProblems('replace', 1, {})).toEqual(['args.pattern: required by replace'])
    expect(functionProblems('replace', 1, { pattern: '(' })).toEqual([
      expect.stringMatching(/^args\.pattern is not a valid regular expression/),
    ])
    expect(functionProblems('round', 1, { digits: -1 })).toEqual(['args.digits must be a whole number >= 0'])
    expect(functionProblems('multiply', 1, {})).toEqual(['args.by: required with one input'])
    expect(functionProblems('from_epoch', 1, { unit: 'us' })).toEqual(['args.unit: must be s or ms'])
  })
})
