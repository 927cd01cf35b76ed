import type { ObjectInfo } from '../ports.js'

/**
 * An S3 `ObjectCreated:Put` notification body for an object, exactly as S3 would send it to SQS
 * (key URL-encoded with `+` for spaces). Used where Ferry enqueues objects itself: the local queue
 * of the demo and, later, backfills of nights whose notifications were lost.
 */
export function objectCreatedBody(info: ObjectInfo, eventTime: Date, region = 'us-east-1'): string {
  return JSON.stringify({
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: region,
        eventTime: eventTime.toISOString(),
        eventName: 'ObjectCreated:Put',
        s3: {
          s3SchemaVersion: '1.0',
          bucket: { name: info.bucket, arn: `arn:aws:s3:::${info.bucket}` },
          object: {
            key: encodeURIComponent(info.key).replace(/%20/g, '+').replace(/%2F/g, '/'),
            size: info.size,
            ...(info.etag ? { eTag: info.etag } : {}),
            ...(info.versionId ? { versionId: info.versionId } : {}),
            sequencer: eventTime.getTime().toString(16).toUpperCase().padStart(16, '0'),
          },
        },
      },
    ],
  })
}
