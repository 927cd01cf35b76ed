import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import {
  dedupeKey,
  type ObjectEvent,
  type ParsedBody,
  parseNotificationBody,
} from '../../../src/producers/s3-notification.js'

const fixtureDir = new URL('../../fixtures/notifications/', import.meta.url)
const fixture = (name: string): string => readFileSync(new URL(name, fixtureDir), 'utf8')
const parseFixture = (name: string): ParsedBody => parseNotificationBody(fixture(name))

function objects(result: ParsedBody): ObjectEvent[] {
  if (result.kind !== 'objects') throw new Error(`expected objects, got ${result.kind}: ${result.reason}`)
  return result.events
}

describe('parseNotificationBody: S3 notification fixtures', () => {
  it('parses a PutObject notification with every field', () => {
    expect(objects(parseFixture('put.json'))).toEqual([
      {
        bucket: 'acme-nightly-drops',
        key: 'sales/2024-05-01/orders.csv',
        size: 1048576,
        eTag: 'd41d8cd98f00b204e9800998ecf8427e',
        versionId: '096fKKXTRTtl3on89fVO.nfljtsv6qko',
        sequencer: '0055AED6DCD90281E5',
        eventTime: '2024-05-01T02:00:01.123Z',
        eventName: 'ObjectCreated:Put',
        region: 'eu-west-1',
      },
    ])
  })

  it('keeps the multipart ETag suffix and sizes beyond 4 GiB', () => {
    const [event] = objects(parseFixture('multipart-complete.json'))
    expect(event).toMatchObject({
      eventName: 'ObjectCreated:CompleteMultipartUpload',
      key: 'clickstream/2024/05/01/part-0000.parquet',
      size: 5368709120,
      eTag: '6f8a1c4f0e3b2d9a7c5e1b3d9f7a2c4e-640',
    })
    expect(event?.versionId).toBeUndefined()
  })

  it('treats a copy as an object-created event', () => {
    expect(objects(parseFixture('copy.json'))).toMatchObject([
      { eventName: 'ObjectCreated:Copy', key: 'inventory/2024-05-01/stock.json', size: 20480, versionId: 'null' },
    ])
  })

  it('returns every record of a multi-record body, in order', () => {
    expect(objects(parseFixture('two-records.json')).map((e) => [e.key, e.size, e.eventName])).toEqual([
      ['sales/2024-05-01/orders-eu.csv', 2048, 'ObjectCreated:Put'],
      ['sales/2024-05-01/orders-us.csv', 4096, 'ObjectCreated:Post'],
    ])
  })

  it('decodes keys: "+" is a space, %2B a plus, %25 a percent, UTF-8 escapes are characters', () => {
    expect(objects(parseFixture('key-encoding.json')).map((e) => e.key)).toEqual([
      'incoming/Q1 report (final).csv',
      'incoming/c++ notes+v2.txt',
      'incoming/100% done?.csv',
      'incoming/données/été ✓ 🚀.csv',
      'incoming/date=2024-05-01/hour=02/x.csv',
    ])
  })

  it('unwraps an SNS envelope', () => {
    expect(objects(parseFixture('sns-wrapped.json'))).toMatchObject([
      {
        bucket: 'acme-nightly-drops',
        key: 'finance/2024-05-01/ledger export.csv',
        size: 4096,
        eTag: 'a3f5c1d2e4b6a8c0e2f4a6b8c0d2e4f6',
        eventName: 'ObjectCreated:Put',
      },
    ])
  })

  it('skips the s3:TestEvent, saying so', () => {
    const result = parseFixture('test-event.json')
    expect(result.kind).toBe('skip')
    expect(result.kind === 'skip' && result.reason).toContain('s3:TestEvent')
  })

  it('skips an ObjectRemoved notification, naming the event', () => {
    const result = parseFixture('removed.json')
    expect(result).toEqual({ kind: 'skip', reason: expect.stringContaining('ObjectRemoved:Delete') })
  })

  it('keeps only the created records of a mixed body', () => {
    expect(objects(parseFixture('mixed-created-removed.json')).map((e) => e.key)).toEqual([
      'sales/2024-05-01/orders.csv',
    ])
  })
})

describe('parseNotificationBody: EventBridge', () => {
  it('maps an Object Created event and uses its key verbatim (EventBridge keys are not form-encoded)', () => {
    expect(objects(parseFixture('eventbridge-created.json'))).toEqual([
      {
        bucket: 'acme-nightly-drops',
        key: 'partners/acme data+v2 100%.csv',
        size: 5,
        eTag: 'b1946ac92492d2347c6235b4d2611184',
        versionId: 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e',
        sequencer: '617f08299329d189',
        eventTime: '2024-05-01T02:00:09.000Z',
        eventName: 'ObjectCreated:Put',
        region: 'ca-central-1',
      },
    ])
  })

  it('skips Object Deleted', () => {
    expect(parseFixture('eventbridge-deleted.json')).toEqual({
      kind: 'skip',
      reason: expect.stringContaining('Object Deleted'),
    })
  })

  it('rejects EventBridge events from another source', () => {
    const body = JSON.stringify({
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      detail: {},
    })
    expect(parseNotificationBody(body)).toEqual({ kind: 'invalid', reason: expect.stringContaining('aws.ec2') })
  })

  it('maps multipart and copy reasons onto notification event names', () => {
    const event = JSON.parse(fixture('eventbridge-created.json'))
    event.detail.reason = 'CompleteMultipartUpload'
    expect(objects(parseNotificationBody(JSON.stringify(event)))[0]?.eventName).toBe(
      'ObjectCreated:CompleteMultipartUpload',
    )
    event.detail.reason = 'CopyObject'
    expect(objects(parseNotificationBody(JSON.stringify(event)))[0]?.eventName).toBe('ObjectCreated:Copy')
  })
})

describe('parseNotificationBody: invalid input', () => {
  const invalidFixtures: Array<[string, string]> = [
    ['malformed-truncated.json', 'not JSON'],
    ['malformed-missing-bucket.json', 'Records[0].s3.bucket.name is missing'],
    ['malformed-bad-escape.json', 'malformed %-escape'],
    ['malformed-size.json', 'size'],
  ]
  it.each(invalidFixtures)('%s is invalid (%s)', (name, reason) => {
    expect(parseFixture(name)).toEqual({ kind: 'invalid', reason: expect.stringContaining(reason) })
  })

  it.each([
    ['empty string', ''],
    ['whitespace', '  \n'],
    ['JSON null', 'null'],
    ['JSON number', '42'],
    ['JSON array', '[{"Records":[]}]'],
    ['unrelated object', '{"hello":"world"}'],
    ['Records not an array', '{"Records":{"0":{}}}'],
    ['empty Records', '{"Records":[]}'],
    ['record without eventName', '{"Records":[{"s3":{}}]}'],
    ['record that is a string', '{"Records":["ObjectCreated:Put"]}'],
    ['SNS envelope with a non-JSON Message', '{"Type":"Notification","Message":"hello"}'],
    ['SNS envelope with an object Message', '{"Type":"Notification","Message":{"Records":[]}}'],
    ['SNS subscription confirmation', '{"Type":"SubscriptionConfirmation","Message":"You have chosen to subscribe"}'],
    ['negative size', record({ size: -1 })],
    ['fractional size', record({ size: 1.5 })],
    ['missing eventTime', record({ eventTime: undefined })],
    ['unparseable eventTime', record({ eventTime: 'yesterday' })],
    ['empty key', record({ key: '' })],
    ['escape decoding to a lone surrogate', record({ key: 'a%ED%A0%80b' })],
    ['truncated escape', record({ key: 'abc%E2%9C' })],
  ])('%s is invalid, not a throw', (_name, body) => {
    const result = parseNotificationBody(body)
    expect(result.kind).toBe('invalid')
    expect(result.kind === 'invalid' && result.reason.length).toBeGreaterThan(0)
  })

  it('survives binary, huge and deeply nested bodies', () => {
    const bodies = [
      Buffer.from([0x00, 0xff, 0xfe, 0x7b, 0x22, 0x80]).toString('latin1'),
      '\u0000'.repeat(1000),
      `{"Records":${'['.repeat(200_000)}${']'.repeat(200_000)}}`,
      `{"Type":${'['.repeat(200_000)}${']'.repeat(200_000)},"Message":"x"}`,
      `{"a":"${'x'.repeat(5 * 1024 * 1024)}"}`,
      '{"Records":[{"eventName":"ObjectCreated:Put","s3":null}]}',
      '{"__proto__":{"Records":1},"constructor":{"prototype":{}}}',
    ]
    for (const body of bodies) expect(parseNotificationBody(body).kind).toBe('invalid')
    expect(parseNotificationBody(undefined as unknown as string).kind).toBe('invalid')
  })

  it('bounds nested SNS envelopes', () => {
    let body = fixture('put.json')
    for (let i = 0; i < 3; i++) body = JSON.stringify({ Type: 'Notification', Message: body })
    expect(parseNotificationBody(body).kind).toBe('objects')
    for (let i = 0; i < 5; i++) body = JSON.stringify({ Type: 'Notification', Message: body })
    expect(parseNotificationBody(body)).toEqual({ kind: 'invalid', reason: expect.stringContaining('nested SNS') })
  })

  it('never throws on any fixture, and always returns a reason unless it found objects', () => {
    for (const name of readdirSync(fixtureDir)) {
      const result = parseFixture(name)
      if (result.kind !== 'objects') expect(result.reason, name).not.toBe('')
    }
  })
})

describe('parseNotificationBody: moto-shaped bodies', () => {
  it('reads a zone-less microsecond eventTime as UTC and does without sequencer/versionId', () => {
    const body = JSON.stringify({
      Records: [
        {
          eventVersion: '2.1',
          eventSource: 'aws:s3',
          awsRegion: 'us-east-1',
          eventTime: '2024-05-01T02:00:01.123456',
          eventName: 'ObjectCreated:Put',
          s3: {
            s3SchemaVersion: '1.0',
            configurationId: 'x',
            bucket: { name: 'b', arn: 'arn:aws:s3:::b' },
            object: { key: 'dir%2Fa+b.csv', size: 3, eTag: '"abc"' },
          },
        },
      ],
    })
    expect(objects(parseNotificationBody(body))).toEqual([
      {
        bucket: 'b',
        key: 'dir/a b.csv',
        size: 3,
        eTag: 'abc',
        eventTime: '2024-05-01T02:00:01.123Z',
        eventName: 'ObjectCreated:Put',
        region: 'us-east-1',
      },
    ])
  })
})

describe('dedupeKey', () => {
  const base: ObjectEvent = {
    bucket: 'b',
    key: 'k',
    size: 1,
    eTag: 'e',
    sequencer: 's',
    eventTime: '2024-05-01T00:00:00.000Z',
    eventName: 'ObjectCreated:Put',
  }

  it('is equal for redeliveries of the same event, whatever the delivery metadata', () => {
    const [a] = objects(parseFixture('put.json'))
    const [b] = objects(parseNotificationBody(JSON.stringify({ Type: 'Notification', Message: fixture('put.json') })))
    expect(a && b && dedupeKey(a)).toBe(b && dedupeKey(b))
    expect(dedupeKey(base)).toBe(dedupeKey({ ...base, eventTime: '2024-06-01T00:00:00.000Z', region: 'x' }))
  })

  it('differs when bucket, key, eTag or sequencer differ', () => {
    const keys = new Set([
      dedupeKey(base),
      dedupeKey({ ...base, bucket: 'c' }),
      dedupeKey({ ...base, key: 'k2' }),
      dedupeKey({ ...base, eTag: 'f' }),
      dedupeKey({ ...base, sequencer: 't' }),
    ])
    expect(keys.size).toBe(5)
  })

  it('cannot be confused by slashes inside a key', () => {
    const a = { ...base, key: 'k/e', eTag: undefined, sequencer: 's' }
    const b = { ...base, key: 'k', eTag: 'e', sequencer: 's' }
    expect(dedupeKey(a)).not.toBe(dedupeKey(b))
  })
})

function record(overrides: { key?: string; size?: unknown; eventTime?: string | undefined }): string {
  return JSON.stringify({
    Records: [
      {
        eventName: 'ObjectCreated:Put',
        eventTime: 'eventTime' in overrides ? overrides.eventTime : '2024-05-01T00:00:00Z',
        s3: {
          bucket: { name: 'b' },
          object: { key: overrides.key ?? 'k', size: 'size' in overrides ? overrides.size : 1 },
        },
      },
    ],
  })
}
