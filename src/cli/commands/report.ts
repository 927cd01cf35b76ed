import { writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { openInfrastructure } from '../../adapters/index.js'
import { requireDatasets, requireLocalState } from '../../app/boot.js'
import { type HistoryLocation, mapLimit, readNight } from '../../ops/history.js'
import { renderHtmlReport } from '../../ops/report/html.js'
import type { DatasetNight, ReportInput } from '../../ops/report/model.js'
import { renderTextReport } from '../../ops/report/text.js'
import { type Command, Exit, stringOpt } from '../command.js'
import { createRuntime } from '../runtime.js'
import { parseIntOption } from './broker.js'
import { parseDateOption } from './options.js'

const DAY_MS = 86_400_000

export const reportCommand: Command = {
  name: 'report',
  summary: 'the daily summary: text, or a self-contained HTML page with charts over the last N nights',
  usage: `Usage: ferry report [--date YYYY-MM-DD] [--days 14] [--html report.html]

Reads the metrics history kept beside the outputs (<output prefix>/_ferry/history/) and prints the
night's summary per dataset (files in/out, rows in/out/rejected, failures with reasons, slowest
files, lag) with trends over the last N nights. With --html, also writes one self-contained page
with charts (rows, files, rejected rate, duration, quality pass/fail) that opens without a server.

Example:
  ferry report --days 14 --html /var/www/ferry/report.html`,
  options: { date: { type: 'string' }, days: { type: 'string' }, html: { type: 'string' } },
  optionHelp: {
    date: 'the night to report on (default: yesterday, UTC)',
    days: 'nights of trends, ending with --date (default 14, at most 366)',
    html: 'also write the HTML report to this file',
  },
  async run(args, ctx) {
    const app = createRuntime(args, ctx)
    const { config, logger } = app
    const datasets = requireDatasets(app)
    const date = stringOpt(args, 'date') ?? new Date(Date.now() - DAY_MS).toISOString().slice(0, 10)
    parseDateOption(date, 'date')
    const days = parseIntOption(stringOpt(args, 'days') ?? '14', 'days', 1, 366)
    requireLocalState(app)
    const infra = await openInfrastructure(config, logger, { kafka: false })
    try {
      const at: HistoryLocation = { store: infra.output, bucket: config.output.bucket, prefix: config.output.prefix }
      const input: ReportInput = {
        date,
        days,
        nights: await readWindow(at, datasets, date, days),
        generatedAt: new Date().toISOString(),
      }
      ctx.out(renderTextReport(input))
      const html = stringOpt(args, 'html')
      if (html) {
        const path = resolve(ctx.cwd, html)
        await writeFile(path, renderHtmlReport(input))
        ctx.out(`\nHTML report: ${path}`)
      }
      return Exit.OK
    } finally {
      await infra.close()
    }
  },
}

/** Every dataset's rollup for each night of the window that has one. */
async function readWindow(
  at: HistoryLocation,
  datasets: readonly { name: string }[],
  date: string,
  days: number,
): Promise<DatasetNight[]> {
  const end = Date.parse(`${date}T00:00:00Z`)
  const wanted = datasets.flatMap((d) =>
    Array.from({ length: days }, (_, i) => ({
      dataset: d.name,
      date: new Date(end - (days - 1 - i) * DAY_MS).toISOString().slice(0, 10),
    })),
  )
  const found = await mapLimit(wanted, 16, (w) => readNight(at, w.dataset, w.date))
  return found.filter((n): n is DatasetNight => n !== undefined)
}
