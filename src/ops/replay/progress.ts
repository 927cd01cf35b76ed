/** Where a progress bar draws: process.stderr in the CLI. */
export interface ProgressStream {
  isTTY?: boolean
  write(text: string): unknown
}

export interface Progress {
  update(done: number): void
  /** ends the line so what follows starts clean */
  finish(): void
}

const WIDTH = 30

/**
 * A one-line progress bar redrawn in place with `\r`. Only on a terminal: in a pipe or a log file the
 * carriage returns would be noise, so there it draws nothing.
 */
export function progressBar(stream: ProgressStream, label: string, total: number): Progress {
  if (!stream.isTTY || total <= 0) return { update: () => {}, finish: () => {} }
  let drawn = false
  return {
    update(done) {
      stream.write(`\r${renderBar(label, done, total)}`)
      drawn = true
    },
    finish() {
      if (drawn) stream.write('\n')
      drawn = false
    },
  }
}

/** `label [=========>          ] 12/40 30%` */
export function renderBar(label: string, done: number, total: number): string {
  const ratio = total <= 0 ? 1 : Math.min(1, Math.max(0, done / total))
  const filled = Math.round(ratio * WIDTH)
  const bar = filled >= WIDTH ? '='.repeat(WIDTH) : `${'='.repeat(filled)}>${' '.repeat(WIDTH - filled - 1)}`
  return `${label} [${bar}] ${Math.min(done, total)}/${total} ${Math.round(ratio * 100)}%`
}
