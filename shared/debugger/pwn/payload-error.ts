import { PwnError } from './error'

/** A payload expression that cannot be read or evaluated; `column` is 1-based. */
export class PayloadError extends PwnError {
  override name = 'PayloadError'
  constructor(
    readonly reason: string,
    readonly column: number,
  ) {
    super(`payload: ${reason} at column ${column}`)
  }
}
