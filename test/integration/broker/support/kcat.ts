import { type ChildProcess, spawn, spawnSync } from 'node:child_process'

/** kcat (librdkafka) is the second, independent client the broker is proven against: never skip it. */
export function requireKcat(): void {
  const found = spawnSync('sh', ['-c', 'command -v kcat'], { encoding: 'utf8' })
  if (found.status !== 0) {
    throw new Error(
      'kcat (librdkafka) is required by the broker conformance tests; install it with: apt-get install -y kcat',
    )
  }
}

export interface KcatResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs kcat to completion, feeding `input` on stdin. */
export function kcat(args: string[], input = ''): Promise<KcatResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kcat', args, { stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
    child.stdin.end(input)
  })
}

/** A long-running kcat (a group consumer) whose output lines accumulate until it is stopped. */
export class KcatProcess {
  readonly lines: string[] = []
  stderr = ''
  private readonly child: ChildProcess
  private readonly exited: Promise<void>
  private partial = ''

  constructor(args: string[]) {
    this.child = spawn('kcat', args, { stdio: ['ignore', 'pipe', 'pipe'] })
    this.child.stdout?.on('data', (chunk: Buffer) => {
      const text = this.partial + chunk.toString()
      const parts = text.split('\n')
      this.partial = parts.pop() ?? ''
      this.lines.push(...parts)
    })
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString()
    })
    this.exited = new Promise((resolve) => this.child.once('close', () => resolve()))
  }

  /** SIGTERM lets kcat close its consumer cleanly (commit, LeaveGroup). */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM')
    await this.exited
  }
}
