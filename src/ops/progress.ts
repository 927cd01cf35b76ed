/**
 * A live progress line for people at a terminal (`demo`, `nightly`, `work`, `quality`): files done out
 * of the total (what is done plus what the lag says is left), rows in/out/rejected, dead letters,
 * failed quality, elapsed time and an ETA, redrawn in place on stderr. It listens to the lifecycle
 * events (events.ts), so the consumers know nothing of it; off a terminal it does nothing at all.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import type { FileResult, QualityMessage } from '../core/messages.js'
import { channels, type DrainBatchEvent } from './events.js'

export interface ProgressState {
  startedAt: number
  drained: number
  files: number
  rowsIn: number
  rowsOut: number
  rowsRejected: number
  deadLettered: number
  judged: number
  failedQuality: number
  /** files queued and not yet processed, as the consumer group's lag last said */
  lag: number | undefined
}

export interface ProgressStream {
  isTTY?: boolean
  write(text: string): unknown
}

function compact(n: number): string {
  if (n < 10_000) return String(n)
  if (n < 1_000_000) return `${(n / 1000).toFixed(n < 100_000 ? 1 : 0)}k`
  return `${(n / 1_000_000).toFixed(2)}M`
}

function clock(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  const h = Math.floor(s / 3600)
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0')
  const ss = String(s % 60).padStart(2, '0')
  return h > 0 ? `${h}:${mm}:${ss}` : `${mm}:${ss}`
}

/** The line for `state` at `now`. Pure. */
export function renderProgress(label: string, state: ProgressState, now: number): string {
  const elapsed = now - state.startedAt
  const total = state.lag === undefined ? Math.max(state.drained, state.files) : state.files + state.lag
  const left = Math.max(0, total - state.files)
  const eta = state.files > 0 && left > 0 ? ` · ETA ${clock((elapsed / state.files) * left)}` : ''
  const parts = [
    `${label} ${state.files}/${total || '?'} files`,
    `rows ${compact(state.rowsIn)} in ${compact(state.rowsOut)} out ${compact(state.rowsRejected)} rejected`,
    ...(state.deadLettered ? [`${state.deadLettered} dead-lettered`] : []),
    ...(state.judged ? [`${state.failedQuality}/${state.judged} failed quality`] : []),
    `${clock(elapsed)} elapsed${eta}`,
  ]
  return parts.join(' · ')
}

export interface ProgressOptions {
  label: string
  /** files left to process, from the consumer group's lag; polled every few seconds */
  lag?: () => Promise<number>
  now?: () => number
}

/** Nothing seen yet, from `startedAt`. */
export function initialProgress(startedAt: number): ProgressState {
  return {
    startedAt,
    drained: 0,
    files: 0,
    rowsIn: 0,
    rowsOut: 0,
    rowsRejected: 0,
    deadLettered: 0,
    judged: 0,
    failedQuality: 0,
    lag: undefined,
  }
}

/** Starts the line when `stream` is a terminal; `stop` clears it. */
export function startProgress(stream: ProgressStream, options: ProgressOptions): { stop(): void } {
  if (!stream.isTTY) return { stop: () => {} }
  const now = options.now ?? Date.now
  const state = initialProgress(now())
  const onFile = (message: unknown) => {
    const result = message as FileResult
    state.files++
    state.rowsIn += result.rowsIn
    state.rowsOut += result.rowsOut
    state.rowsRejected += result.rowsRejected
    if (result.status === 'dead-lettered') state.deadLettered++
  }
  const onQuality = (message: unknown) => {
    const event = message as QualityMessage
    if (event.scope !== 'file') return
    state.judged++
    if (event.status === 'fail') state.failedQuality++
  }
  const onDrain = (message: unknown) => {
    state.drained += (message as DrainBatchEvent).objects
  }
  const draw = () => stream.write(`\r\x1b[K${renderProgress(options.label, state, now())}`)
  subscribe(channels.file.name, onFile)
  subscribe(channels.quality.name, onQuality)
  subscribe(channels.drain.name, onDrain)
  const redraw = setInterval(draw, 500)
  const poll = options.lag
    ? setInterval(() => {
        options.lag?.().then(
          (lag) => {
            state.lag = lag
          },
          () => {},
        )
      }, 3000)
    : undefined
  redraw.unref()
  poll?.unref()
  let stopped = false
  return {
    stop() {
      if (stopped) return
      stopped = true
      clearInterval(redraw)
      if (poll) clearInterval(poll)
      unsubscribe(channels.file.name, onFile)
      unsubscribe(channels.quality.name, onQuality)
      unsubscribe(channels.drain.name, onDrain)
      draw()
      stream.write('\n')
    },
  }
}
