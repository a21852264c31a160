// Guest addresses cross the API as hex strings: they are 64-bit values and JSON numbers are not.

export const ADDRESS_PATTERN = /^0x[0-9a-fA-F]{1,16}$/

/** Parses "0x..." (at most 64 bits) to a bigint; throws RangeError with the reason otherwise. */
export function parseAddress(text: string): bigint {
  if (!ADDRESS_PATTERN.test(text)) throw new RangeError(`"${text}" is not an address (expected 0x followed by 1-16 hex digits)`)
  return BigInt(text)
}

export function formatAddress(address: bigint | number): string {
  return `0x${address.toString(16)}`
}
