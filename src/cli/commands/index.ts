import type { Command } from '../command.js'
import { backfillCommand } from './backfill.js'
import { brokerCommand } from './broker.js'
import { demoCommand } from './demo.js'
import { drainCommand } from './drain.js'
import { nightlyCommand } from './nightly.js'
import { qualityCommand } from './quality.js'
import { replayCommand } from './replay.js'
import { reportCommand } from './report.js'
import { serveCommand } from './serve.js'
import { statusCommand } from './status.js'
import { subscribeCommand } from './subscribe.js'
import { workCommand } from './work.js'

export const commands: Command[] = [
  demoCommand,
  nightlyCommand,
  drainCommand,
  workCommand,
  qualityCommand,
  subscribeCommand,
  statusCommand,
  replayCommand,
  backfillCommand,
  reportCommand,
  serveCommand,
  brokerCommand,
]
