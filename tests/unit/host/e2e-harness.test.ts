import { expect, test } from 'vitest'
import { findChromium } from '../../e2e/browser'

test('without Chromium the e2e harness says how to get one', () => {
  expect(() => findChromium(['/nonexistent/chromium', undefined])).toThrow(
    /No Chromium found .* "sudo apt-get install chromium" .* "npx playwright install chromium", then point CHROMIUM_PATH/,
  )
})
