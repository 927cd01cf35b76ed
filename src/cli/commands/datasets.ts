import { requireDatasets } from '../../app/boot.js'
import { datasetView, explainMatch, formatDatasets, formatMatch } from '../../project/describe.js'
import { boolOpt, type Command, Exit, stringOpt } from '../command.js'
import { createRuntime } from '../runtime.js'

export const datasetsCommand: Command = {
  name: 'datasets',
  summary: "list the project's datasets, or say which dataset takes an object key",
  usage: `Usage: ferry datasets [--json] [--match KEY]

Loads and validates the project's datasets (exit 2 listing every problem with its file, line and
field) and prints each one: its key patterns, schema, steps, output columns, checks and test cases.
With --match, says which dataset takes the key and why: each dataset's matching pattern, and when
several match, the rule that decided (highest priority, then the first name alphabetically). Exit 1
when no dataset takes the key (the worker would dead-letter it FERRY_NO_DATASET).

Examples:
  ferry datasets
  ferry datasets --match exports/2026-11-23/orders-0001.csv
  ferry datasets --json | jq -r '.[].name'`,
  options: { json: { type: 'boolean' }, match: { type: 'string' } },
  optionHelp: {
    json: 'print JSON (one array of datasets, or the match explanation)',
    match: 'an object key (as it lands, without the bucket) to match against the datasets',
  },
  async run(args, ctx) {
    const app = createRuntime(args, ctx)
    const datasets = requireDatasets(app)
    const json = boolOpt(args, 'json')
    const key = stringOpt(args, 'match')
    if (key !== undefined) {
      const explanation = explainMatch(datasets, key.replace(/^s3:\/\/[^/]+\//, ''))
      if (json) ctx.out(JSON.stringify(explanation, null, 2))
      else for (const line of formatMatch(explanation)) ctx.out(line)
      return explanation.dataset ? Exit.OK : Exit.DATA
    }
    const views = datasets.map((d) => datasetView(d, ctx.cwd))
    if (json) ctx.out(JSON.stringify(views, null, 2))
    else for (const line of formatDatasets(views)) ctx.out(line)
    return Exit.OK
  },
}
