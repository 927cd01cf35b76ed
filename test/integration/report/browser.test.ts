import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderHtmlReport } from '../../../src/ops/report/html.js'
import { DATASETS, HOSTILE_KEY, MISSING_NIGHT, nightsWithData, reportFixture } from '../../fixtures/report/nights.js'

/** Debian's Chromium: there is no network to download Playwright's own build. */
const CHROMIUM = '/usr/bin/chromium'
const CHARTS = { rows: 3, files: 3, 'rejected-rate': 1, duration: 2, quality: 2 } as const

/**
 * Opens the rendered report from file:// in a real headless Chromium, as someone would open the
 * attachment: it must draw every chart and point, log no errors and fetch nothing but itself.
 * FERRY_REPORT_SCREENSHOT=<path> also keeps the screenshot there, to look at the design.
 */
describe('HTML report in headless Chromium', () => {
  let dir: string
  let browser: Browser
  let page: Page
  let url: string
  const requests: string[] = []
  const errors: string[] = []

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`)
    dir = mkdtempSync(join(tmpdir(), 'ferry-report-'))
    const file = join(dir, 'report.html')
    writeFileSync(file, renderHtmlReport(reportFixture()))
    url = pathToFileURL(file).href
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    })
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    page.on('request', (request) => requests.push(request.url()))
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text())
    })
    page.on('pageerror', (err) => errors.push(err.message))
    await page.goto(url, { waitUntil: 'load' })
  })

  afterAll(async () => {
    await browser?.close()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('renders the title with the report date', async () => {
    await expect(page.title()).resolves.toBe('Ferry daily report — 2026-11-23')
    const heading = page.getByRole('heading', { level: 1 })
    expect(await heading.isVisible()).toBe(true)
    expect(await heading.textContent()).toBe('Ferry daily report 2026-11-23')
  })

  it('draws every chart of every dataset with one point per series and night with data', async () => {
    for (const dataset of DATASETS) {
      const nights = nightsWithData(dataset)
      for (const [kind, series] of Object.entries(CHARTS)) {
        const chart = page.locator(`svg[data-chart="${kind}"][data-dataset="${dataset}"]`)
        expect(await chart.count(), `${dataset} ${kind}`).toBe(1)
        expect(await chart.isVisible(), `${dataset} ${kind} visible`).toBe(true)
        expect(await chart.locator('[data-point]').count(), `${dataset} ${kind} points`).toBe(series * nights.length)
        const dates = await chart
          .locator('[data-point]')
          .evaluateAll((points) => [...new Set(points.map((p) => p.getAttribute('data-date')))])
        expect(dates.sort(), `${dataset} ${kind} dates`).toEqual(nights)
        const gaps = await chart
          .locator('[data-gap]')
          .evaluateAll((g) => g.map((e) => [e.getAttribute('data-from'), e.getAttribute('data-to')]))
        expect(gaps, `${dataset} ${kind} gaps`).toEqual(dataset === 'payments' ? [[MISSING_NIGHT, MISSING_NIGHT]] : [])
      }
    }
  })

  it('exposes every chart to assistive technology as an image named by its title', async () => {
    expect(await page.getByRole('img').count()).toBe(DATASETS.length * Object.keys(CHARTS).length)
    const rows = page.getByRole('img', { name: 'payments: rows in, out and rejected per night', exact: true })
    expect(await rows.getAttribute('data-chart')).toBe('rows')
  })

  it('lays the charts out at their size: points inside the chart, not collapsed', async () => {
    const chart = page.locator('svg[data-chart="rows"][data-dataset="orders"]')
    const box = await chart.boundingBox()
    expect(box?.width).toBeGreaterThan(300)
    expect(box?.height).toBeGreaterThan(150)
    const point = await chart.locator('[data-point]').first().boundingBox()
    expect(point).not.toBeNull()
    if (box && point) {
      expect(point.x).toBeGreaterThanOrEqual(box.x)
      expect(point.x + point.width).toBeLessThanOrEqual(box.x + box.width)
    }
    expect(await page.getByText('no data', { exact: true }).first().isVisible()).toBe(true)
  })

  it('shows hostile keys as text and runs nothing', async () => {
    const failures = page.locator('table[data-table="failures"]')
    expect(await failures.getByText(HOSTILE_KEY, { exact: true }).count()).toBe(1)
    expect(await page.locator('script, img').count()).toBe(0)
  })

  it('takes a full-page screenshot', async () => {
    const png = join(dir, 'report.png')
    await page.screenshot({ path: png, fullPage: true })
    expect(statSync(png).size).toBeGreaterThan(10 * 1024)
    const keep = process.env.FERRY_REPORT_SCREENSHOT
    if (keep) copyFileSync(png, keep)
  })
  it('logs no errors and fetches nothing but the file itself', () => {
    expect(errors).toEqual([])
    expect(requests).toEqual([url])
  })
})
