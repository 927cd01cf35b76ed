import type { Alert, AlertItem } from '../../ports.js'

/**
 * Renders an Alert as a Slack Block Kit message. Pure. Slack rejects the whole message
 * (`invalid_blocks`) when a limit is exceeded, so every limit is enforced here by truncating with
 * "… and N more" rather than trusting the alert to be small.
 */

/** docs.slack.dev/reference/block-kit/blocks: 50 blocks, 3000 chars per section or context text, 150 per header. */
export const SLACK_LIMITS = { blocks: 50, text: 3000, header: 150, contextElements: 10 } as const

export type SlackBlock =
  | { type: 'header'; text: { type: 'plain_text'; text: string; emoji: true } }
  | { type: 'section'; text: { type: 'mrkdwn'; text: string } }
  | { type: 'context'; elements: Array<{ type: 'mrkdwn'; text: string }> }

export interface SlackMessage {
  /** the notification and screen-reader fallback */
  text: string
  blocks: SlackBlock[]
}

/** One item line may not crowd the others out of its section. */
const MAX_LINE = 600

export function slackMessage(alert: Alert): SlackMessage {
  const icon = alert.severity === 'fail' ? ':red_circle:' : ':large_yellow_circle:'
  const header: SlackBlock = {
    type: 'header',
    text: { type: 'plain_text', text: clip(`${icon} ${alert.title}`, SLACK_LIMITS.header), emoji: true },
  }
  const context: SlackBlock = {
    type: 'context',
    elements: [
      `run \`${code(alert.runId)}\``,
      ...(alert.links ?? []).map((l) => `<${escapeMrkdwn(l.url).replace(/\|/g, '%7C')}|${escapeMrkdwn(l.label)}>`),
    ]
      .slice(0, SLACK_LIMITS.contextElements)
      .map((text) => ({ type: 'mrkdwn' as const, text: clip(text, SLACK_LIMITS.text) })),
  }
  const notes: SlackBlock[] = alert.notes?.length ? [section(fitLines([], alert.notes.map(escapeMrkdwn), 0))] : []

  const groups = checkGroups(alert)
  const room = SLACK_LIMITS.blocks - 2 - notes.length
  const shown = groups.length > room ? groups.slice(0, room - 1) : groups
  const sections = shown.map((g) => section(groupText(alert, g)))
  const hidden = groups.slice(shown.length)
  if (hidden.length) {
    sections.push(
      section(
        fitLines(
          [`… and ${hidden.length} more check(s):`],
          hidden.map((g) => `• \`${code(g.check)}\` ${g.items.length + g.omitted} file(s)`),
          0,
        ),
      ),
    )
  }

  return {
    text: clip(escapeMrkdwn(`${alert.title} (run ${alert.runId})`), SLACK_LIMITS.text),
    blocks: [header, ...sections, ...notes, context],
  }
}

interface CheckGroup {
  check: string
  items: AlertItem[]
  omitted: number
}

/** Items grouped by check in their order of appearance, plus checks that only have omitted files. */
function checkGroups(alert: Alert): CheckGroup[] {
  const groups = new Map<string, CheckGroup>()
  for (const item of alert.items) {
    const group = groups.get(item.check)
    if (group) group.items.push(item)
    else groups.set(item.check, { check: item.check, items: [item], omitted: 0 })
  }
  for (const [check, count] of Object.entries(alert.omitted ?? {})) {
    const group = groups.get(check)
    if (group) group.omitted += count
    else groups.set(check, { check, items: [], omitted: count })
  }
  return [...groups.values()]
}

function groupText(alert: Alert, group: CheckGroup): string {
  const total = group.items.length + group.omitted
  const head = [`*${escapeMrkdwn(alert.dataset ?? 'night')}* · \`${code(group.check)}\` · ${total} file(s)`]
  const lines = group.items.map((item) => {
    const where = item.quarantine ? ` → quarantine \`${code(item.quarantine)}\`` : ''
    return clip(
      `• \`${code(item.key)}\` observed *${escapeMrkdwn(item.observed)}* vs threshold *${escapeMrkdwn(item.threshold)}*: ${escapeMrkdwn(item.message)}${where}`,
      MAX_LINE,
    )
  })
  return fitLines(head, lines, group.omitted)
}

/**
 * The head, then as many lines as fit in a Slack text field, then "… and N more" counting the
 * lines that did not fit plus `omitted` (files the alert already left out).
 */
function fitLines(head: string[], lines: string[], omitted: number): string {
  const reserve = 40 // room for the "… and N more" line
  const out = head.map((h) => clip(h, SLACK_LIMITS.text - reserve))
  let length = out.join('\n').length
  let shown = 0
  for (const line of lines) {
    if (length + 1 + line.length > SLACK_LIMITS.text - reserve) break
    out.push(line)
    length += 1 + line.length
    shown++
  }
  const more = lines.length - shown + omitted
  if (more > 0) out.push(`… and ${more} more`)
  return out.join('\n')
}

function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text } }
}

/** Slack's three control characters in mrkdwn (api.slack.com/reference/surfaces/formatting#escaping). */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}

/** Text inside a `code span`: a backtick would end it early. */
function code(text: string): string {
  return escapeMrkdwn(text).replace(/`/g, "'")
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`
}
