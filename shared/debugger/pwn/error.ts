/** The one error the exploitation toolkit raises: its message is meant to be shown as it is. */
export class PwnError extends Error {
  override name = 'PwnError'
}
