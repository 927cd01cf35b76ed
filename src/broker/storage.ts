import {
  closeSync,
  existsSync,
  fstatSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  unlinkSync,
  writeFileSync,
  writevSync,
} from 'node:fs'
import { join } from 'node:path'
import { FerryError } from '../errors.js'
import type { Logger } from '../ops/logger.js'
import { crc32c } from './protocol/crc32c.js'
import { CRC_START } from './protocol/record-batch.js'

/**
 * File persistence for the embedded broker. Layout under the data dir:
 *   topics/<topic>/topic.json     {"partitions": n}, written last on create, removed first on delete
 *   topics/<topic>/<p>.log        one append-only file per partition
 *   group-offsets.journal         append-only journal of committed offsets
 * Every file is a sequence of entries `[u32 length][u32 crc32c][payload]`. Appends are written
 * (writev to the page cache) before the broker answers, so a SIGKILL after an ack loses nothing;
 * there is no fsync, so a power loss can drop the newest entries. Recovery truncates a torn or
 * corrupt tail with a warning.
 */
const ENTRY_HEADER = 8
const SCAN_CHUNK = 1 << 20

export class StorageError extends FerryError {
  constructor(message: string, cause?: unknown) {
    super('FERRY_SINK_WRITE', message, { cause, retryable: true })
    this.name = 'StorageError'
  }
}

/**
 * An append-only entry file. `crcSpan` is how much of each payload the entry CRC covers:
 * partition logs cover the record batch's own header (21 bytes) and rely on the batch CRC,
 * which covers everything after it, so no byte is checksummed twice on the produce path.
 */
export class EntryFile {
  readonly path: string
  private readonly crcSpan: number
  private readonly fd: number
  private length: number

  constructor(path: string, crcSpan: number) {
    this.path = path
    this.crcSpan = crcSpan
    this.fd = openSync(path, 'a+')
    this.length = fstatSync(this.fd).size
  }

  /**
   * Visits every entry in order; `visit` returns false to reject one. The first torn, corrupt or
   * rejected entry and everything after it is truncated.
   */
  recover(logger: Logger, visit: (payload: Buffer, position: number) => boolean): void {
    const fileSize = this.length
    let chunk: Buffer = Buffer.alloc(0)
    let chunkStart = 0
    const load = (at: number, size: number) => {
      chunk = this.read(at, Math.min(size, fileSize - at))
      chunkStart = at
    }
    let position = 0
    while (position + ENTRY_HEADER <= fileSize) {
      if (position + ENTRY_HEADER > chunkStart + chunk.length) load(position, SCAN_CHUNK)
      let at = position - chunkStart
      const length = chunk.readUInt32BE(at)
      const crc = chunk.readUInt32BE(at + 4)
      const end = position + ENTRY_HEADER + length
      if (length === 0 || end > fileSize) break
      if (end > chunkStart + chunk.length) {
        load(position, Math.max(SCAN_CHUNK, ENTRY_HEADER + length))
        at = 0
      }
      const payload = chunk.subarray(at + ENTRY_HEADER, at + ENTRY_HEADER + length)
      if (crc32c(payload, 0, Math.min(length, this.crcSpan)) !== crc) break
      if (!visit(payload, position + ENTRY_HEADER)) break
      position = end
    }
    if (position < fileSize) {
      logger.warn({ file: this.path, validBytes: position, fileBytes: fileSize }, 'truncating torn or corrupt tail')
      ftruncateSync(this.fd, position)
      this.length = position
    }
  }

  /** Appends one entry and returns the file position of its payload. */
  append(payload: Buffer): number {
    const header = Buffer.allocUnsafe(ENTRY_HEADER)
    header.writeUInt32BE(payload.length, 0)
    header.writeUInt32BE(crc32c(payload, 0, Math.min(payload.length, this.crcSpan)), 4)
    const before = this.length
    try {
      const written = writevSync(this.fd, [header, payload])
      if (written !== header.length + payload.length) throw new Error(`short write: ${written} bytes`)
    } catch (err) {
      // Never leave half an entry behind: the next append would land after garbage. If even that
      // fails, recovery truncates the torn entry at the next start.
      try {
        ftruncateSync(this.fd, before)
      } catch {
        // reported through the StorageError below
      }
      throw new StorageError(`cannot append to ${this.path}`, err)
    }
    this.length += header.length + payload.length
    return before + ENTRY_HEADER
  }

  read(position: number, size: number): Buffer {
    const buffer = Buffer.allocUnsafe(size)
    let done = 0
    while (done < size) {
      const n = readSync(this.fd, buffer, done, size - done, position + done)
      if (n === 0) throw new StorageError(`${this.path} ends before byte ${position + size}`)
      done += n
    }
    return buffer
  }

  close(): void {
    closeSync(this.fd)
  }
}

export interface StoredTopic {
  name: string
  partitions: number
}

/** Owns a data dir: a lock against a second broker, topic directories and the offsets journal. */
export class DataDir {
  readonly root: string
  private readonly logger: Logger
  private readonly topicsDir: string
  private readonly lockPath: string

  constructor(root: string, logger: Logger) {
    this.root = root
    this.logger = logger
    this.topicsDir = join(root, 'topics')
    this.lockPath = join(root, 'broker.lock')
    mkdirSync(this.topicsDir, { recursive: true })
    this.lock()
  }

  private lock(): void {
    if (existsSync(this.lockPath)) {
      const pid = Number(readFileSync(this.lockPath, 'utf8'))
      if (Number.isInteger(pid) && pid > 0 && processAlive(pid)) {
        throw new FerryError('FERRY_CONFIG', `data dir ${this.root} is in use by process ${pid} (${this.lockPath})`)
      }
      this.logger.warn({ lock: this.lockPath, pid }, 'taking over the lock of a broker that is gone')
    }
    writeFileSync(this.lockPath, String(process.pid))
  }

  /** Topics found on disk; directories without topic.json are half-created or half-deleted and removed. */
  topics(): StoredTopic[] {
    const topics: StoredTopic[] = []
    for (const name of readdirSync(this.topicsDir)) {
      const dir = join(this.topicsDir, name)
      const metaPath = join(dir, 'topic.json')
      try {
        const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { partitions?: unknown }
        if (typeof meta.partitions !== 'number' || !Number.isInteger(meta.partitions) || meta.partitions < 1) {
          throw new Error(`bad partition count ${String(meta.partitions)}`)
        }
        topics.push({ name, partitions: meta.partitions })
      } catch (err) {
        this.logger.warn({ dir, err }, 'removing topic directory without a valid topic.json')
        rmSync(dir, { recursive: true, force: true })
      }
    }
    return topics
  }

  createTopic(name: string, partitions: number): void {
    const dir = join(this.topicsDir, name)
    mkdirSync(dir, { recursive: true })
    const tmp = join(dir, 'topic.json.tmp')
    writeFileSync(tmp, JSON.stringify({ partitions }))
    renameSync(tmp, join(dir, 'topic.json'))
  }

  openPartition(topic: string, partition: number): EntryFile {
    return new EntryFile(join(this.topicsDir, topic, `${partition}.log`), CRC_START)
  }

  deleteTopic(name: string): void {
    const dir = join(this.topicsDir, name)
    unlinkSync(join(dir, 'topic.json'))
    rmSync(dir, { recursive: true, force: true })
  }

  openOffsetsJournal(): EntryFile {
    return new EntryFile(join(this.root, 'group-offsets.journal'), Number.POSITIVE_INFINITY)
  }

  /** Atomically replaces the offsets journal with `payloads` (compaction at start-up). */
  rewriteOffsetsJournal(payloads: Buffer[]): EntryFile {
    const path = join(this.root, 'group-offsets.journal')
    const tmpPath = `${path}.tmp`
    rmSync(tmpPath, { force: true })
    const tmp = new EntryFile(tmpPath, Number.POSITIVE_INFINITY)
    for (const payload of payloads) tmp.append(payload)
    tmp.close()
    renameSync(tmpPath, path)
    return this.openOffsetsJournal()
  }

  unlock(): void {
    rmSync(this.lockPath, { force: true })
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}
