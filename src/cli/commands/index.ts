import type { Command } from '../command.js'
import { backfillCommand } from './backfill.js'
import { brokerCommand } from './broker.js'
import { catCommand } from './cat.js'
import { checkCommand } from './check.js'
import { datasetsCommand } from './datasets.js'
import { demoCommand } from './demo.js'
import { drainCommand } from './drain.js'
import { findCommand } from './find.js'
import { inferCommand } from './infer.js'
import { initCommand } from './init.js'
import { inspectCommand } from './inspect.js'
import { nightlyCommand } from './nightly.js'
import { processCommand } from './process.js'
import { qualityCommand } from './quality.js'
import { replayCommand } from './replay.js'
import { reportCommand } from './report.js'
import { serveCommand } from './serve.js'
import { statusCommand } from './status.js'
import { subscribeCommand } from './subscribe.js'
import { testCommand } from './test.js'
import { validateCommand } from './validate.js'
import { workCommand } from './work.js'

export const commands: Command[] = [
  demoCommand,
  initCommand,
  datasetsCommand,
  testCommand,
  inferCommand,
  nightlyCommand,
  drainCommand,
  workCommand,
  qualityCommand,
  subscribeCommand,
  statusCommand,
  replayCommand,
  backfillCommand,
  checkCommand,
  inspectCommand,
  validateCommand,
  processCommand,
  catCommand,
  findCommand,
  reportCommand,
  serveCommand,
  brokerCommand,
]
