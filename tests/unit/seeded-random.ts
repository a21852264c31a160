// Random test inputs drawn from the machine's own seeded generator, so a failing seed replays.
import { Random } from '../../shared/machine/random'

/** Uniform 32-bit unsigned integers. */
export function seededU32(seed: number): () => number {
  const generator = new Random(seed)
  return () => generator.nextU32()
}

/** Uniform fractions in [0, 1). */
export function seededFractions(seed: number): () => number {
  const next = seededU32(seed)
  return () => next() / 2 ** 32
}
