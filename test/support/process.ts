import { type ChildProcess, spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:net'

/** A free loopback port: bind to 0, read the port, release it for the child to take. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Fails loudly, with the install command, when a server binary the tests need is missing. */
export function requireBinary(name: string, install: string): void {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' })
  if (found.status !== 0) {
    throw new Error(`required test server binary "${name}" is not installed; install it with: ${install}`)
  }
}

export interface ManagedProcess {
  child: ChildProcess
  output: () => string
  stop: () => Promise<void>
}

/** Spawns a server in its own process group and resolves once `ready` returns true. */
export async function startProcess(
  command: string,
  args: string[],
  ready: () => Promise<boolean>,
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; name?: string } = {},
): Promise<ManagedProcess> {
  const child = spawn(command, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  })
  let log = ''
  const collect = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-20_000)
  }
  child.stdout?.on('data', collect)
  child.stderr?.on('data', collect)
  let exited = false
  child.on('exit', () => {
    exited = true
  })
  const stop = async () => {
    if (exited || child.pid === undefined) return
    const done = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    try {
      process.kill(-child.pid, 'SIGTERM')
    } catch {
      return
    }
    const timer = setTimeout(() => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL')
      } catch {}
    }, 5000)
    await done
    clearTimeout(timer)
  }
  const deadline = Date.now() + (options.timeoutMs ?? 60_000)
  while (Date.now() < deadline) {
    if (exited) throw new Error(`${options.name ?? command} exited during start-up:\n${log}`)
    if (await ready().catch(() => false)) return { child, output: () => log, stop }
    await new Promise((r) => setTimeout(r, 200))
  }
  await stop()
  throw new Error(`${options.name ?? command} did not become ready in time:\n${log}`)
}

export async function httpOk(url: string): Promise<boolean> {
  const res = await fetch(url, { signal: AbortSignal.timeout(2000) })
  return res.status < 500
}
