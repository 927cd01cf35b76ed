import type { ReplayAdmin, ReplayRequest } from './offsets.js'
import type { ReplayPlan } from './plan.js'

/** Messages of the replayed range the group has committed past so far (0 up to plan.reprocess). */
export function replayProgress(plan: ReplayPlan, committed: ReadonlyMap<number, bigint | null>): bigint {
  let done = 0n
  for (const p of plan.partitions) {
    const at = committed.get(p.partition) ?? p.target
    const moved = at > p.target ? at - p.target : 0n
    done += moved < p.reprocess ? moved : p.reprocess
  }
  return done
}

/**
 * After a reset, watches the group's commits until it is back where it was (the replayed range is
 * processed again) or the signal aborts. Resolves true when the range is done.
 */
export async function followReplay(
  admin: Pick<ReplayAdmin, 'committedOffsets'>,
  request: ReplayRequest,
  plan: ReplayPlan,
  options: { pollMs: number; signal: AbortSignal; onProgress: (done: bigint) => void },
): Promise<boolean> {
  while (!options.signal.aborted) {
    const done = replayProgress(plan, await admin.committedOffsets(request.groupId, request.topic))
    options.onProgress(done)
    if (done >= plan.reprocess) return true
    if (options.signal.aborted) break
    await new Promise<void>((resolve) => {
      const timer = setTimeout(finish, options.pollMs)
      options.signal.addEventListener('abort', finish, { once: true })
      function finish() {
        clearTimeout(timer)
        options.signal.removeEventListener('abort', finish)
        resolve()
      }
    })
  }
  return false
}
