import { freePort, type ManagedProcess, requireBinary, startProcess } from './process.js'

export interface PubSubEmulator {
  /** host:port, the value of PUBSUB_EMULATOR_HOST */
  host: string
  projectId: string
  stop: () => Promise<void>
}

/** The official Google Pub/Sub emulator (`gcloud beta emulators pubsub start`) on a random loopback port. */
export async function startPubSubEmulator(projectId = 'ferry-test'): Promise<PubSubEmulator> {
  requireBinary('gcloud', 'install the Google Cloud CLI with its pubsub-emulator and beta components')
  requireBinary('java', 'apt-get install -y default-jre-headless')
  const port = await freePort()
  const host = `127.0.0.1:${port}`
  const proc: ManagedProcess = await startProcess(
    'gcloud',
    ['beta', 'emulators', 'pubsub', 'start', `--host-port=${host}`, `--project=${projectId}`, '--quiet'],
    async () => {
      const res = await fetch(`http://${host}/v1/projects/${projectId}/topics`, { signal: AbortSignal.timeout(2000) })
      return res.ok
    },
    { name: 'pubsub emulator', timeoutMs: 90_000 },
  )
  return { host, projectId, stop: proc.stop }
}
