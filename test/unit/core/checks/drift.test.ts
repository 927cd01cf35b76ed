import { describe, expect, it } from 'vitest'
import { driftCheck, jsonTypeOf, schemaDrift, sourceColumnsOf } from '../../../../src/core/checks/drift.js'
import { parquetMetadata, writeParquet } from '../../../../src/core/formats/parquet.js'
import type { SourceColumn } from '../../../../src/core/messages.js'
import { ORDER_INPUT_COLUMNS } from '../../../../src/core/sample-orders.js'
import { orders } from '../../../support/datasets.js'

const schema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    amount: { type: 'number' },
    quantity: { type: 'integer' },
    at: { type: 'string', format: 'date-time' },
    note: { type: ['string', 'null'] },
    code: { enum: ['A', 'B'] },
  },
}

const matching: SourceColumn[] = [
  { name: 'id', physicalType: 'BYTE_ARRAY', logicalType: 'STRING' },
  { name: 'amount', physicalType: 'INT64' }, // an integer is a number
  { name: 'quantity', physicalType: 'INT32' },
  { name: 'at', physicalType: 'INT64', logicalType: 'TIMESTAMP(MILLIS,UTC)' },
  { name: 'note', physicalType: 'BYTE_ARRAY', logicalType: 'STRING' },
  { name: 'code', physicalType: 'BOOLEAN' }, // no type in the schema: anything goes
]

describe('schema drift', () => {
  it('finds none when the file has the schema columns with compatible types', () => {
    expect(schemaDrift(matching, schema)).toEqual({ added: [], removed: [], retyped: [] })
    expect(driftCheck(matching, schema, 'warn')).toMatchObject({ name: 'schema_drift', status: 'pass', observed: 0 })
  })

  it('reports added, removed and retyped columns', () => {
    const drifted: SourceColumn[] = [
      ...matching.filter((c) => c.name !== 'note' && c.name !== 'quantity'),
      { name: 'quantity', physicalType: 'DOUBLE' },
      { name: 'channel', physicalType: 'BYTE_ARRAY', logicalType: 'STRING' },
    ]
    expect(schemaDrift(drifted, schema)).toEqual({
      added: ['channel'],
      removed: ['note'],
      retyped: ['quantity (DOUBLE, schema integer)'],
    })
    expect(driftCheck(drifted, schema, 'fail')).toEqual({
      name: 'schema_drift',
      status: 'fail',
      severity: 'fail',
      observed: 3,
      threshold: 0,
      message: 'added: channel; removed: note; retyped: quantity (DOUBLE, schema integer)',
    })
  })

  it('reads types as the reader produces them', () => {
    expect(jsonTypeOf({ name: 'd', physicalType: 'INT32', logicalType: 'DATE' })).toBe('string')
    expect(jsonTypeOf({ name: 'd', physicalType: 'INT96' })).toBe('string')
    expect(jsonTypeOf({ name: 'd', physicalType: 'FIXED_LEN_BYTE_ARRAY', logicalType: 'DECIMAL(10,2)' })).toBe('number')
    expect(jsonTypeOf({ name: 'd', physicalType: 'INT64', logicalType: 'DECIMAL(18,4)' })).toBe('number')
    expect(jsonTypeOf({ name: 'd', physicalType: 'GROUP', logicalType: 'LIST' })).toBe('array')
    expect(jsonTypeOf({ name: 'd', physicalType: 'GROUP' })).toBe('object')
    expect(jsonTypeOf({ name: 'd', physicalType: 'FLOAT' })).toBe('number')
  })

  it('sees no drift between the sample orders export and the orders schema', () => {
    const columns = sourceColumnsOf(parquetMetadata(writeParquet(ORDER_INPUT_COLUMNS, [])).columns)
    expect(columns.map((c) => c.name)).toEqual(ORDER_INPUT_COLUMNS.map((c) => c.name))
    expect(columns[2]).toEqual({ name: 'ordered_at', physicalType: 'INT64', logicalType: 'TIMESTAMP(MILLIS,UTC)' })
    expect(columns[0]).toEqual({ name: 'order_id', physicalType: 'BYTE_ARRAY', logicalType: 'STRING' })
    expect(schemaDrift(columns, orders.schema)).toEqual({ added: [], removed: [], retyped: [] })
  })
})
