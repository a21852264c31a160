// Reads that follow a moving target (each stop, each live frame, each scroll) must not pile up:
// a call made while the task runs is folded into one more run after it, which sees the latest state.

export function coalesce(task: () => Promise<void>): () => Promise<void> {
  let running = false
  let again = false
  return async () => {
    if (running) {
      again = true
      return
    }
    running = true
    try {
      do {
        again = false
        await task()
      } while (again)
    } finally {
      running = false
    }
  }
}
