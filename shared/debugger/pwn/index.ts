// The exploitation toolkit: pwntools' and pwndbg's helpers as pure functions over bytes and
// ELF images, for the debugger's cyclic, checksec, search, distance and input commands.
export { PwnError } from './error'
export { MAX_PATTERN_BYTES } from './limits'
export {
  CYCLIC_ALPHABET,
  DEFAULT_CYCLIC_ORDER,
  MAX_CYCLIC_ORDER,
  cyclic,
  cyclicFind,
  cyclicLookup,
  parseCyclicLookupArgument,
  type CyclicLookup,
  type CyclicLookupLine,
} from './cyclic'
export { evaluatePayload, PayloadError, MAX_PAYLOAD_INTEGER_BITS, MAX_PAYLOAD_LIST_ITEMS } from './payload'
export { hexPreview, type HexPreviewOptions } from './hex-preview'
export { packEitherSign, packUnsigned, unpackUnsigned, type PackWidth } from './packing'
export { checksec, pwndbgChecksecText, pwntoolsChecksecText, type Checksec, type ChecksecLine, type ChecksecTone, type Relro } from './checksec'
export { SEARCH_TYPES, findOccurrences, searchPattern, type MemoryRegion, type SearchOptions, type SearchPattern, type SearchType } from './search-pattern'
export { distanceFromRegionText, distanceText, unmappedDistanceText } from './distance'
export { parseGdbInteger } from './gdb-integer'
export { pythonBytesRepr, pythonHex } from './python-format'
