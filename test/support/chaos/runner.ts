import type { ChildProcess } from 'node:child_process'
import type { Random } from '../../../src/core/sample-orders.js'
import { spawnFerry } from '../bin.js'

/** When to SIGKILL one life of a component: at whichever of the two comes first. */
export interface KillPlan {
  /** a fixed time after the spawn: start-up, connecting, joining, mid-work */
  afterMs?: number
  /** `jitterMs` after the `nth` time the process passes checkpoint `name`; 0 kills it right there */
  at?: { name: string; nth: number; jitterMs: number }
}

export interface Life {
  index: number
  plan: KillPlan | null
  /** killed by the plan; exited on its own; stuck (outlived lifeTimeoutMs, then killed) */
  outcome: 'killed' | 'exited' | 'stuck'
  /** what killed it: `delay` or `<checkpoint>#<nth>` */
  trigger?: string
  code: number | null
  ms: number
  /** checkpoints passed, by name */
  passed: Record<string, number>
  stderrTail: string[]
}

export interface ChaosOptions {
  /** for messages: drain, work, quality */
  name: string
  args: string[]
  cwd: string
  env: NodeJS.ProcessEnv
  /** lives to kill before letting one run to completion */
  kills: number
  random: Random
  plan: (random: Random) => KillPlan
  /** a stderr JSON log line -> the checkpoint it marks, if any */
  marker?: (line: Record<string, unknown>) => string | undefined
  beforeLife?: (index: number) => Promise<void>
  /** after a life was killed, before the next starts (fence the group, release queue leases) */
  afterKill?: () => Promise<void>
  /** after a life exited on its own: whether the component's work is complete */
  done: (code: number | null) => Promise<boolean>
  /** a life running longer is killed and recorded as stuck; default 120 s */
  lifeTimeoutMs?: number
  /** default kills * 3 + 20 */
  maxLives?: number
}

/** Every ferry process a chaos run started and that has not been reaped yet. */
const running = new Set<ChildProcess>()
let halted = false

/** Stops every chaos loop and SIGKILLs every ferry process still running (afterAll / finally). */
export function haltChaos(): void {
  halted = true
  for (const child of running) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
  }
}

/**
 * Runs one ferry component as real processes, SIGKILLing each life at a random point until `kills`
 * lives were killed, then restarting it until a life exits on its own and `done` agrees.
 */
export class ComponentChaos {
  readonly lives: Life[] = []
  private readonly options: ChaosOptions
  private onCheckpoint: ((name: string) => boolean) | undefined

  constructor(options: ChaosOptions) {
    this.options = options
  }

  get kills(): number {
    return this.lives.filter((l) => l.outcome === 'killed').length
  }

  /**
   * A protocol point of the live process, reported from outside (the SQS proxy). Returns true when
   * the process was SIGKILLed right here, so the caller can drop what the process was doing.
   */
  checkpoint(name: string): boolean {
    return this.onCheckpoint?.(name) ?? false
  }

  async run(): Promise<void> {
    const { kills, maxLives = kills * 3 + 20 } = this.options
    for (let index = 0; ; index++) {
      if (halted) throw new Error(`${this.options.name}: chaos halted`)
      if (index >= maxLives) throw new Error(`${this.options.name}: not done after ${maxLives} lives`)
      await this.options.beforeLife?.(index)
      const plan = this.kills < kills ? this.options.plan(this.options.random) : null
      const life = await this.live(index, plan)
      this.lives.push(life)
      if (life.outcome !== 'exited') {
        await this.options.afterKill?.()
        continue
      }
      if (await this.options.done(life.code)) return
    }
  }

  private async live(index: number, plan: KillPlan | null): Promise<Life> {
    const { args, cwd, env, marker, lifeTimeoutMs = 120_000 } = this.options
    if (halted) throw new Error(`${this.options.name}: chaos halted`)
    const started = Date.now()
    const child = spawnFerry(args, { cwd, env })
    running.add(child)
    const passed: Record<string, number> = {}
    const tail: string[] = []
    let killed: string | undefined
    const kill = (why: string): boolean => {
      if (child.exitCode !== null || child.signalCode !== null || killed) return false
      killed = why
      return child.kill('SIGKILL')
    }
    const timers: NodeJS.Timeout[] = []
    if (plan?.afterMs !== undefined) timers.push(setTimeout(() => kill('delay'), plan.afterMs))
    timers.push(setTimeout(() => kill('timeout'), lifeTimeoutMs))
    this.onCheckpoint = (name) => {
      passed[name] = (passed[name] ?? 0) + 1
      const at = plan?.at
      if (!at || at.name !== name || passed[name] !== at.nth) return false
      if (at.jitterMs === 0) return kill(`${name}#${at.nth}`)
      timers.push(setTimeout(() => kill(`${name}#${at.nth}`), at.jitterMs))
      return false
    }
    let partial = ''
    child.stderr?.setEncoding('utf8')
    child.stderr?.on('data', (chunk: string) => {
      const lines = (partial + chunk).split('\n')
      partial = lines.pop() ?? ''
      for (const line of lines) {
        tail.push(line)
        if (tail.length > 40) tail.shift()
        const name = marker?.(parseLine(line))
        if (name) this.checkpoint(name)
      }
    })
    child.stdout?.resume()
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('close', (code, signal) => resolve({ code, signal })),
    )
    running.delete(child)
    this.onCheckpoint = undefined
    for (const timer of timers) clearTimeout(timer)
    const bySignal = signal === 'SIGKILL' && killed !== undefined
    return {
      index,
      plan,
      outcome: bySignal ? (killed === 'timeout' ? 'stuck' : 'killed') : 'exited',
      ...(bySignal ? { trigger: killed } : {}),
      code,
      ms: Date.now() - started,
      passed,
      stderrTail: tail,
    }
  }
}

function parseLine(line: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(line)
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

/** An integer in [min, max]. */
export function between(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1))
}

/** One-line description of what the lives of a component went through. */
export function describeLives(name: string, lives: readonly Life[]): string {
  const killed = lives.filter((l) => l.outcome === 'killed')
  const byPlan = new Map<string, number>()
  for (const life of killed) {
    const label = life.trigger ?? '?'
    byPlan.set(label, (byPlan.get(label) ?? 0) + 1)
  }
  const plans = [...byPlan].map(([label, n]) => `${label}=${n}`).join(' ')
  const exits = lives
    .filter((l) => l.outcome === 'exited')
    .map((l) => l.code)
    .join(',')
  const stuck = lives.filter((l) => l.outcome === 'stuck').length
  // killed at a protocol point or after finishing something, rather than while starting up or idle
  const midWork = killed.filter((l) => l.trigger !== 'delay' || Object.keys(l.passed).length > 0).length
  const seconds = (lives.reduce((ms, l) => ms + l.ms, 0) / 1000).toFixed(1)
  return (
    `${name}: lives=${lives.length} kills=${killed.length} (${plans}; mid-work ${midWork}) ` +
    `exits=[${exits}] stuck=${stuck} time=${seconds}s`
  )
}
