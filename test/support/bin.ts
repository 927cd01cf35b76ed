import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const FERRY_BIN = fileURLToPath(new URL('../../bin/ferry.js', import.meta.url))
const BUILT = fileURLToPath(new URL('../../dist/src/cli/main.js', import.meta.url))

export interface BinRun {
  code: number | null
  stdout: string
  stderr: string
}

/** The built `ferry` bin in a child process with a minimal environment, as a user or cron runs it. */
export function spawnFerry(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): ChildProcess {
  if (!existsSync(BUILT)) throw new Error('dist/ is missing: run `npm run build` first (npm test does)')
  return spawn(process.execPath, [FERRY_BIN, ...args], {
    cwd: options.cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
}

/** The child's output, collected until it exits; `onStderr` sees stderr as it grows. */
export function collect(child: ChildProcess, onStderr?: (stderr: string) => void): Promise<BinRun> {
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (c: Buffer) => {
    stdout += c.toString()
  })
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString()
    onStderr?.(stderr)
  })
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })))
}

/** Runs the bin to its end; `onStderr` lets a test act on a log line mid-run. */
export function runFerry(
  args: string[],
  options: { cwd: string; env?: NodeJS.ProcessEnv; onStderr?: (stderr: string) => void },
): Promise<BinRun> {
  return collect(spawnFerry(args, options), options.onStderr)
}
