import { type FindFilters, findObjects, formatFind, parseSize, parseTime } from '../../ops/debug/find.js'
import { boolOpt, type Command, Exit, stringOpt } from '../command.js'
import { createRuntime } from '../runtime.js'

export const findCommand: Command = {
  name: 'find',
  summary: 'list objects under an s3:// or gs:// prefix or a local folder, filtered by size and time',
  usage: `Usage: ferry find <s3://bucket/prefix | gs://bucket/prefix | dir> [--larger-than 10MB] [--smaller-than 1KB]
                  [--modified-after 2026-02-17] [--modified-before 2026-02-18T06:00:00Z] [--json]

Lists the matching objects (key, size, last modified) and a total line. Sizes take B, KB, MB, GB
(powers of 1000) or KiB, MiB, GiB (powers of 1024); a bare number is bytes. Times are UTC: a date
means its midnight. All bounds are strict (--larger-than 10MB excludes exactly 10 MB).

Examples:
  ferry find s3://landing/orders/2026-02-17/ --smaller-than 1KB
  ferry find gs://lake/orders/ --modified-after 2026-02-17 --modified-before 2026-02-18`,
  options: {
    'larger-than': { type: 'string' },
    'smaller-than': { type: 'string' },
    'modified-after': { type: 'string' },
    'modified-before': { type: 'string' },
    json: { type: 'boolean' },
  },
  optionHelp: {
    'larger-than': 'only objects larger than this size',
    'smaller-than': 'only objects smaller than this size',
    'modified-after': 'only objects modified after this date or time (UTC)',
    'modified-before': 'only objects modified before this date or time (UTC)',
    json: 'print the matches as JSON',
  },
  positionals: { min: 1, max: 1 },
  async run(args, ctx) {
    const filters: FindFilters = {}
    const larger = stringOpt(args, 'larger-than')
    const smaller = stringOpt(args, 'smaller-than')
    const after = stringOpt(args, 'modified-after')
    const before = stringOpt(args, 'modified-before')
    if (larger !== undefined) filters.largerThan = parseSize(larger, 'larger-than')
    if (smaller !== undefined) filters.smallerThan = parseSize(smaller, 'smaller-than')
    if (after !== undefined) filters.modifiedAfter = parseTime(after, 'modified-after')
    if (before !== undefined) filters.modifiedBefore = parseTime(before, 'modified-before')
    const { config } = createRuntime(args, ctx)
    const result = await findObjects(args.positionals[0]!, config, ctx.cwd, filters)
    if (boolOpt(args, 'json')) ctx.out(JSON.stringify(result, null, 2))
    else for (const line of formatFind(result)) ctx.out(line)
    return Exit.OK
  },
}
