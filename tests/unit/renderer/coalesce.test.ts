import { expect, test } from 'vitest'
import { coalesce } from '../../../renderer/src/lib/coalesce'

test('calls made while the task runs fold into one more run, which sees the latest state', async () => {
  let state = 0
  const seen: number[] = []
  let release: () => void = () => {}
  const read = coalesce(async () => {
    seen.push(state)
    await new Promise<void>((resolve) => (release = resolve))
  })
  const first = read()
  state = 1
  void read()
  state = 2
  void read()
  release()
  await new Promise((resolve) => setTimeout(resolve, 0))
  release()
  await first
  expect(seen).toEqual([0, 2])
})
