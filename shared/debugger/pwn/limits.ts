/**
 * The most bytes one pattern or payload may have. Far more than any overflow exercise needs, and
 * small enough that a typo such as b"A"*10**12 is refused before anything is allocated.
 */
export const MAX_PATTERN_BYTES = 16 * 1024 * 1024
