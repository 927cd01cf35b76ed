import { spawnSync } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { spawnFerry } from '../../support/bin.js'
import { freePort, requireBinary } from '../../support/process.js'

describe('ferry broker (the CLI)', () => {
  it('prints its address, answers kcat -L, and stops cleanly on SIGTERM', async () => {
    requireBinary('kcat', 'apt-get install -y kcat')
    const port = await freePort()
    const child = spawnFerry(['broker', '--port', String(port)], { cwd: mkdtempSync(join(tmpdir(), 'ferry-broker-')) })
    let stdout = ''
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString()
    })
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    const deadline = Date.now() + 20_000
    while (!stdout.includes('listening')) {
      if (Date.now() > deadline) throw new Error(`broker did not start: ${stdout}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(stdout).toContain(`ferry broker listening on 127.0.0.1:${port}`)
    const kcat = spawnSync('kcat', ['-b', `127.0.0.1:${port}`, '-L', '-m', '10'], { encoding: 'utf8', timeout: 20_000 })
    expect(kcat.status).toBe(0)
    expect(kcat.stdout).toContain(`127.0.0.1:${port}`)
    expect(kcat.stdout).toMatch(/1 brokers?:/)
    child.kill('SIGTERM')
    expect(await exited).toBe(0)
    expect(stdout).toContain('ferry broker stopped')
  })

  it('warns when asked to bind anywhere but 127.0.0.1 (tested on 127.0.0.2, still loopback)', async () => {
    const child = spawnFerry(['broker', '--host', '127.0.0.2', '--port', '0'], {
      cwd: mkdtempSync(join(tmpdir(), 'ferry-broker-')),
    })
    let stderr = ''
    let stdout = ''
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString()
    })
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString()
    })
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    const deadline = Date.now() + 20_000
    while (!stdout.includes('listening')) {
      if (Date.now() > deadline) throw new Error(`broker did not start: ${stdout}${stderr}`)
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(stderr).toContain('warning: binding to 127.0.0.2; the embedded broker has no authentication or TLS')
    child.kill('SIGINT')
    expect(await exited).toBe(0)
  })
})
