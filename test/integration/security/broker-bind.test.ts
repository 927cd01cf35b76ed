import { mkdtempSync, readFileSync } from 'node:fs'
import { connect } from 'node:net'
import { networkInterfaces, tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { spawnFerry } from '../../support/bin.js'

/**
 * The embedded broker has no authentication and no TLS, so by default it must be reachable from this
 * machine only. (The warning for any other --host is tested in test/integration/cli/broker.test.ts.)
 */

/** A /proc/net/tcp{,6} address (hex, each 32-bit word in host byte order, little-endian here) as text. */
function decodeProcAddress(hex: string): string {
  const bytes = Buffer.from(hex.match(/.{8}/g)!.flatMap((word) => [...Buffer.from(word, 'hex').reverse()]))
  if (bytes.length === 4) return [...bytes].join('.')
  const mappedV4 = bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff
  if (mappedV4) return `::ffff:${[...bytes.subarray(12)].join('.')}`
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16))
  return groups.every((g) => g === '0') ? '::' : groups.join(':')
}

/** Local addresses of every listening TCP socket on `port`, as the kernel reports them. */
function listenersOn(port: number): string[] {
  const found: string[] = []
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/)
      if (!local || state !== '0A') continue // 0A = LISTEN
      const [address, hexPort] = local.split(':') as [string, string]
      if (Number.parseInt(hexPort, 16) === port) found.push(decodeProcAddress(address))
    }
  }
  return found
}

/** This machine's addresses other than loopback (link-local ones need a scope and are left out). */
function otherAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && !a.internal && !a.address.startsWith('fe80:'))
    .map((a) => a!.address)
}

function tryConnect(host: string, port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 5000 })
    socket.once('connect', () => {
      socket.destroy()
      resolve('connected')
    })
    socket.once('timeout', () => {
      socket.destroy()
      resolve('timeout')
    })
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message))
  })
}

describe('ferry broker binds to loopback by default', () => {
  it('listens on 127.0.0.1 only: the kernel shows no other listener and other addresses are refused', async () => {
    const child = spawnFerry(['broker', '--port', '0'], { cwd: mkdtempSync(join(tmpdir(), 'ferry-bind-')) })
    let stdout = ''
    let stderr = ''
    child.stdout?.on('data', (c: Buffer) => {
      stdout += c.toString()
    })
    child.stderr?.on('data', (c: Buffer) => {
      stderr += c.toString()
    })
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)))
    try {
      const deadline = Date.now() + 20_000
      while (!stdout.includes('listening')) {
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`broker did not start: ${stdout}${stderr}`)
        await new Promise((r) => setTimeout(r, 50))
      }
      const address = /ferry broker listening on (\S+)/.exec(stdout)?.[1] ?? ''
      expect(address).toMatch(/^127\.0\.0\.1:\d+$/)
      const port = Number(address.split(':')[1])
      expect(stderr).not.toContain('warning')

      expect(listenersOn(port)).toEqual(['127.0.0.1'])
      expect(await tryConnect('127.0.0.1', port)).toBe('connected')
      for (const other of otherAddresses()) expect(await tryConnect(other, port), other).toBe('ECONNREFUSED')
    } finally {
      child.kill('SIGTERM')
      expect(await exited).toBe(0)
    }
  })
})
