// Both themes keep text readable (WCAG 2.1 AA: a contrast ratio of 4.5:1 for normal text) for
// every colour that carries meaning as text: prose, the memory kinds, the byte roles, syntax,
// the verdicts and the change colour, on the panes' and the headers' backgrounds.

import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'

const css = readFileSync(join(import.meta.dirname, '../../../renderer/src/styles/theme.css'), 'utf8')

/** The custom properties of the block that starts with `selector {`. */
function block(selector: string): Map<string, string> {
  const start = css.indexOf(`${selector} {`)
  const body = css.slice(start, css.indexOf('\n}', start))
  return new Map([...body.matchAll(/(--[\w-]+):\s*([^;]+);/g)].map((match) => [match[1]!, match[2]!.trim()]))
}

const dark = block(':root')
const light = new Map([...dark, ...block(":root[data-theme='light']")])

function luminance(hex: string): number {
  const channels = hex.match(/^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i)
  if (!channels) throw new Error(`not a #rrggbb colour: ${hex}`)
  const [r, g, b] = channels.slice(1).map((channel) => {
    const value = parseInt(channel, 16) / 255
    return value <= 0.03928 ? value / 12.92 : ((value + 0.055) / 1.055) ** 2.4
  }) as [number, number, number]
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

function contrast(a: string, b: string): number {
  const [high, low] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number]
  return (high + 0.05) / (low + 0.05)
}

/** Colours learners read as text. Faint text is for disabled controls (WCAG exempts them);
 *  padding and no-access are drawn as dim bands with their words in readable text beside them. */
const TEXT_COLOURS = [...dark.keys()].filter(
  (name) => /^--(text|text-muted|accent|ok|warn|danger|changed|breakpoint)$/.test(name) || /^--(kind|role|syntax)-/.test(name),
).filter((name) => !['--kind-none', '--role-padding'].includes(name))

describe.each([
  ['dark', dark],
  ['light', light],
])('the %s theme', (_name, theme) => {
  test.each(TEXT_COLOURS.flatMap((colour) => ['--bg-pane', '--bg-header'].map((background) => [colour, background])))('%s on %s reads at 4.5:1 or more', (colour, background) => {
    expect(contrast(theme.get(colour)!, theme.get(background)!)).toBeGreaterThanOrEqual(4.5)
  })
})
