import type { Command } from '../command.js'
import { brokerCommand } from './broker.js'
import { demoCommand } from './demo.js'
import { drainCommand } from './drain.js'
import { nightlyCommand } from './nightly.js'
import { qualityCommand } from './quality.js'
import { serveCommand } from './serve.js'
import { subscribeCommand } from './subscribe.js'
import { workCommand } from './work.js'

export const commands: Command[] = [
  demoCommand,
  nightlyCommand,
  drainCommand,
  workCommand,
  qualityCommand,
  subscribeCommand,
  serveCommand,
  brokerCommand,
]
