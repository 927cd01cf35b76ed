#!/usr/bin/env node
import { main } from '../dist/src/cli/main.js'

process.exitCode = await main(process.argv.slice(2))
// The command is over: a client's lingering retry timer must not keep the process (and cron) waiting.
setTimeout(() => process.exit(), 500).unref()
