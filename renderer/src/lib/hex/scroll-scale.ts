// The hex dump's scrollbar runs over the region map's folded scale, not over 2^64 bytes linearly
// (on a linear track all of user space would sit in the top 1/131072 of it): each region and
// folded gap gets the height the map gives it, and inside one the position is linear.

import type { MapRow } from '../region-map'

interface Segment {
  start: bigint
  end: bigint
  from: number
  to: number
}

export interface ScrollScale {
  segments: Segment[]
  total: number
}

export function scrollScale(rows: readonly MapRow[]): ScrollScale {
  const segments: Segment[] = []
  let top = 0
  for (const row of rows) {
    segments.push({ start: row.start, end: row.end, from: top, to: top + row.height })
    top += row.height
  }
  return { segments, total: top }
}

/** Where an address sits on the track, 0 to 1. */
export function fractionOf(scale: ScrollScale, address: bigint): number {
  if (scale.total === 0) return 0
  const segment = scale.segments.find((candidate) => address >= candidate.start && address < candidate.end)
  if (!segment) return address <= 0n ? 0 : 1
  const within = Number(address - segment.start) / Number(segment.end - segment.start)
  return (segment.from + within * (segment.to - segment.from)) / scale.total
}

/** The address at a point of the track, 0 to 1. */
export function addressAtFraction(scale: ScrollScale, fraction: number): bigint {
  const last = scale.segments[scale.segments.length - 1]
  if (!last) return 0n
  const position = Math.min(Math.max(fraction, 0), 1) * scale.total
  const segment = scale.segments.find((candidate) => position < candidate.to) ?? last
  const within = Math.min(1, Math.max(0, (position - segment.from) / (segment.to - segment.from)))
  // Float precision is plenty for a point on a track a few hundred pixels tall.
  const span = segment.end - segment.start
  const address = segment.start + (BigInt(Math.floor(within * 2 ** 20)) * span) / (1n << 20n)
  return address < segment.end ? address : segment.end - 1n
}
