import { freePort, httpOk, type ManagedProcess, requireBinary, startProcess } from './process.js'

export interface MotoServer {
  endpoint: string
  stop: () => Promise<void>
}

/** Real moto_server (S3 + SQS, with S3 -> SQS bucket notifications) on a random loopback port. */
export async function startMoto(): Promise<MotoServer> {
  requireBinary('moto_server', "pip install 'moto[server]'")
  const port = await freePort()
  const endpoint = `http://127.0.0.1:${port}`
  const proc: ManagedProcess = await startProcess(
    'moto_server',
    ['-H', '127.0.0.1', '-p', String(port)],
    () => httpOk(`${endpoint}/moto-api/`),
    { name: 'moto_server' },
  )
  return { endpoint, stop: proc.stop }
}
