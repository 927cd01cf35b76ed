import { describe, expect, it } from 'vitest'
import { checksProblems } from '../../../../src/core/checks/config.js'
import { defineDataset, type OutputColumn } from '../../../../src/core/dataset.js'
import { ConfigError } from '../../../../src/errors.js'
import { orders } from '../../../support/datasets.js'

const columns: OutputColumn[] = [
  { name: 'id', type: 'string' },
  { name: 'amount', type: 'double' },
  { name: 'at', type: 'timestamp' },
  { name: 'day', type: 'date' },
  { name: 'flag', type: 'boolean' },
]

describe('checksProblems', () => {
  it('accepts every kind of check, and none at all', () => {
    expect(checksProblems({}, columns)).toEqual([])
    expect(
      checksProblems(
        {
          nullRate: [{ column: 'id', max: 0 }],
          duplicates: [{ columns: ['id', 'day'], max: 2, severity: 'warn' }],
          allowedValues: [{ column: 'id', values: ['a', 'b'] }],
          range: [
            { column: 'amount', min: 0 },
            { column: 'at', min: '2026-01-01T00:00:00Z', max: '2027-01-01T00:00:00Z' },
          ],
          freshness: { column: 'at', maxAgeHours: 26 },
          schemaDrift: { severity: 'fail' },
          volume: { nights: 14, minHistory: 7, maxZ: 3.5 },
          files: { expected: 24, tolerance: 2 },
        },
        columns,
      ),
    ).toEqual([])
  })

  it('names every shape problem with its path', () => {
    expect(
      checksProblems(
        {
          nullRate: [{ column: 'id', max: 1.5 }],
          duplicates: [{ columns: [] }],
          freshness: { column: 'at' },
          files: { expected: -1, severity: 'page' },
          rowCount: 3,
        },
        columns,
      ).sort(),
    ).toEqual(
      [
        'checks: unknown field "rowCount"',
        'checks.nullRate.0.max: must be <= 1',
        'checks.duplicates.0.columns: must NOT have fewer than 1 items',
        "checks.freshness: must have required property 'maxAgeHours'",
        'checks.files.expected: must be >= 0',
        'checks.files.severity: must be equal to one of the allowed values (warn, fail)',
      ].sort(),
    )
  })

  it('checks what the shape cannot: columns exist, bounds and values fit the column type', () => {
    expect(
      checksProblems(
        {
          nullRate: [{ column: 'nope', max: 0.1 }],
          allowedValues: [{ column: 'amount', values: ['x'] }],
          range: [{ column: 'amount', min: 10, max: 1 }, { column: 'day', min: 'yesterday' }, { column: 'id' }],
          freshness: { column: 'day', maxAgeHours: 24 },
          volume: { nights: 5, minHistory: 7 },
        },
        columns,
      ),
    ).toEqual([
      'checks.nullRate.0.column: "nope" is not an output column',
      'checks.allowedValues.0.values: must all be numbers for a double column',
      'checks.range.0: min 10 is greater than max 1',
      'checks.range.1.min: must be ISO date or timestamp strings for a date column',
      'checks.range.2: needs min, max or both',
      'checks.freshness.column: must be a timestamp column, is date',
      'checks.volume.minHistory: 7 is more than the 5 nights kept',
    ])
  })

  it('is what defineDataset reports, as a ConfigError listing each bad field', () => {
    let thrown: unknown
    try {
      defineDataset({
        name: 'bad',
        keys: [/bad/],
        schema: { type: 'object' },
        transform: (row) => row,
        outputColumns: columns,
        eventTimeField: 'at',
        checks: { range: [{ column: 'flag', min: 0 }], volume: { maxZ: 0 } },
      })
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(ConfigError)
    expect((thrown as ConfigError).problems).toEqual(['checks.volume.maxZ: must be > 0'])
  })

  it('accepts the orders example', () => {
    expect(orders.checks).toBeDefined()
    expect(checksProblems(orders.checks, orders.outputColumns)).toEqual([])
  })
})
