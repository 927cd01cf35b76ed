import type { Scheduler } from '../../../../src/broker/groups.js'

/** A deterministic clock for the group coordinator: timers fire only when a test advances time. */
export class ManualScheduler implements Scheduler {
  private now = 0
  private sequence = 0
  private tasks: Array<{ at: number; sequence: number; task: () => void; cancelled: boolean }> = []

  schedule(delayMs: number, task: () => void): () => void {
    const entry = { at: this.now + delayMs, sequence: this.sequence++, task, cancelled: false }
    this.tasks.push(entry)
    return () => {
      entry.cancelled = true
    }
  }

  /** Runs, in time order, every timer due within `ms`, including timers those timers schedule. */
  advance(ms: number): void {
    const target = this.now + ms
    for (;;) {
      this.tasks = this.tasks.filter((t) => !t.cancelled)
      const due = this.tasks.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.sequence - b.sequence)[0]
      if (!due) break
      this.tasks.splice(this.tasks.indexOf(due), 1)
      this.now = due.at
      due.task()
    }
    this.now = target
  }
}
