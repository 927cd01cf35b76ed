import { seededRandom } from '../../../src/core/sample-orders.js'
import { parseNotificationBody } from '../../../src/producers/s3-notification.js'
import { type HttpTap, jsonBody } from './http-tap.js'
import type { ChaosKafka, TopicTail } from './kafka.js'
import type { ChaosFile } from './night.js'
import { between, ComponentChaos, type KillPlan } from './runner.js'
import { messagesOf, type SqsProxy } from './sqs-proxy.js'
import { type ChaosWorld, queueDepth, upload } from './world.js'

export interface ChaosSettings {
  files: readonly ChaosFile[]
  /** lives of each component to SIGKILL */
  kills: number
  /** each component draws its kill plans from its own PRNG seeded from this */
  seed: number
  kafka: ChaosKafka
}

/** Log lines (msg) that mark one more file handled by `ferry work`. */
const WORK_MARKERS = new Set([
  'file processed',
  'file dead-lettered',
  'duplicate delivery skipped: this version is already processed',
])

/**
 * `ferry drain` through the SQS proxy, killed at random: a delay after start, or exactly when a batch
 * was received (before the drain sees it), when a delete is about to be sent (Kafka acknowledged,
 * SQS not told) or just after a delete. Files land a few at a time before each life, as they do
 * during a night, so every life to be killed has notifications to move. Each DeleteMessageBatch is
 * held until the test has checked that ferry.objects already holds every object of the messages
 * being deleted; a miss is recorded in `violations`.
 */
export function drainChaos(world: ChaosWorld, proxy: SqsProxy, settings: ChaosSettings) {
  const { files, kills, seed, kafka } = settings
  const violations: string[] = []
  let uploaded = 0
  let tail: Promise<TopicTail> | undefined
  const chaos: ComponentChaos = new ComponentChaos({
    name: 'drain',
    args: ['drain', '--wait-seconds', '1', '--empty-receives', '2'],
    cwd: world.home,
    env: { ...world.env, AWS_ENDPOINT_URL: proxy.url, FERRY_LOG_LEVEL: 'info' },
    kills,
    random: seededRandom(seed),
    plan: (r): KillPlan => {
      const pick = Math.floor(r() * 4)
      if (pick === 0) return { afterMs: between(r, 50, 2500) }
      if (pick === 1) return { at: { name: 'receive', nth: 1, jitterMs: 0 } }
      if (pick === 2) return { at: { name: 'delete', nth: 1, jitterMs: 0 } }
      return { at: { name: 'deleted', nth: 1, jitterMs: between(r, 0, 40) } }
    },
    // Spread the uploads over the lives still to kill: the last file lands before the last planned kill.
    beforeLife: async () => {
      const left = Math.max(1, kills - chaos.kills)
      const next = Math.min(files.length, uploaded + Math.ceil((files.length - uploaded) / left))
      await upload(world, files.slice(uploaded, next))
      uploaded = next
    },
    afterKill: async () => {
      await proxy.releaseLeases(world.sqs, world.queueUrl)
    },
    done: async (code) => uploaded === files.length && code === 0 && (await queueDepth(world)) === 0,
  })
  proxy.hooks = {
    beforeRequest: async (action, body) => {
      if (action !== 'DeleteMessageBatch') return 'forward'
      tail ??= kafka.tail(world.topics.objects, `chaos-tail-${world.id}`)
      const objects = await tail
      await objects.caughtUp()
      for (const entry of (body.Entries ?? []) as Array<{ ReceiptHandle: string }>) {
        const message = proxy.leases.get(entry.ReceiptHandle)
        const parsed = message ? parseNotificationBody(message.body) : undefined
        if (!message) violations.push(`delete of a receipt handle the queue never handed out`)
        if (parsed?.kind !== 'objects') continue
        for (const event of parsed.events) {
          const key = `${event.bucket}/${event.key}`
          if (!objects.keys.has(key)) violations.push(`${key}: SQS delete sent before ferry.objects had it`)
        }
      }
      return chaos.checkpoint('delete') ? 'drop' : 'forward'
    },
    beforeResponse: (action, response) =>
      action === 'ReceiveMessage' && messagesOf(response).length > 0 && chaos.checkpoint('receive')
        ? 'drop'
        : 'forward',
    afterResponse: (action) => {
      if (action === 'DeleteMessageBatch') chaos.checkpoint('deleted')
    },
  }
  return {
    chaos,
    violations,
    stop: async () => (await tail)?.stop(),
  }
}

/**
 * `ferry work --until-idle` (or `ferry quality --until-idle`), killed at random: a delay after start
 * (start-up, joining, loading the ledger, mid-file), a few milliseconds after the nth file it finished
 * (publishing the result, writing the ledger, committing, starting the next file), or the moment the
 * output bucket stored the nth object it wrote (work: a Parquet output or quarantine file, before the
 * result is published; quality: a metrics-history entry, before the event is published), reported
 * by `killOnStored`. After each kill the dead member is fenced from the group so the next life gets
 * the partitions now rather than after the 30 s session timeout. Done once `upstreamDone` (the
 * component feeding this one has finished; until then a life that went idle is simply restarted) and
 * a life exited on its own with the group's lag at 0.
 */
export function consumerChaos(
  world: ChaosWorld,
  component: 'work' | 'quality',
  settings: ChaosSettings,
  gcs: HttpTap,
  upstreamDone: () => boolean,
) {
  const { files, kills, seed, kafka } = settings
  const group = component === 'work' ? world.groups.work : world.groups.quality
  const topic = component === 'work' ? world.topics.objects : world.topics.results
  // At most this many files per killed life, so the kills spread over the whole night.
  const pace = Math.max(1, Math.floor(files.length / kills))
  const okCodes = component === 'work' ? [0] : [0, 1]
  return new ComponentChaos({
    name: component,
    args: [component, '--until-idle'],
    cwd: world.home,
    env: { ...world.env, STORAGE_EMULATOR_HOST: gcs.url, FERRY_LOG_LEVEL: 'info' },
    kills,
    random: seededRandom(seed + (component === 'work' ? 1 : 2)),
    // A delayed kill is capped at `pace` files too, so that no killed life does much more than its share.
    plan: (r): KillPlan => {
      const pick = r()
      if (pick < 0.25) return { afterMs: between(r, 50, 2500), at: { name: 'file', nth: pace, jitterMs: 0 } }
      if (pick < 0.6) return { at: { name: 'stored', nth: between(r, 1, pace), jitterMs: 0 } }
      return { at: { name: 'file', nth: between(r, 1, pace), jitterMs: between(r, 0, 100) } }
    },
    marker: (line) => {
      const msg = String(line.msg ?? '')
      return (component === 'work' ? WORK_MARKERS.has(msg) : msg === 'quality evaluated') ? 'file' : undefined
    },
    afterKill: async () => {
      // Let the broker see the connections close (no half-served join left), then fence.
      await new Promise((r) => setTimeout(r, 150))
      await kafka.fenceGroup(group)
    },
    done: async (code) =>
      upstreamDone() && code !== null && okCodes.includes(code) && (await kafka.lag(group, topic)) === 0n,
  })
}

/**
 * Reports every object the output bucket stored through the tap as checkpoint `stored` of the
 * component that wrote it (metrics history: quality; outputs and quarantine: work); when that kills
 * it, the upload's answer is dropped: the object is there, the process never learned so.
 */
export function killOnStored(gcs: HttpTap, writers: { work: ComponentChaos; quality: ComponentChaos }): void {
  gcs.hooks = {
    beforeResponse: (req, res) => {
      if (req.method !== 'POST' || !req.path.startsWith('/upload/') || res.status >= 300) return 'forward'
      const name = jsonBody(res.body).name
      if (typeof name !== 'string') return 'forward'
      const writer = name.includes('_ferry/') ? writers.quality : writers.work
      return writer.checkpoint('stored') ? 'drop' : 'forward'
    },
  }
}
