// Base64 in plain ECMAScript: shared/ may not rely on Node's Buffer or the DOM's atob/btoa.
// Binary payloads (ELF images, guest output) cross JSON transports this way.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const VALUES = new Map([...ALPHABET].map((char, index) => [char, index]))
export const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

export function encodeBase64(bytes: Uint8Array): string {
  let text = ''
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i]!
    const b = bytes[i + 1]
    const c = bytes[i + 2]
    const triple = (a << 16) | ((b ?? 0) << 8) | (c ?? 0)
    text += ALPHABET[(triple >> 18) & 63]! + ALPHABET[(triple >> 12) & 63]!
    text += b === undefined ? '=' : ALPHABET[(triple >> 6) & 63]!
    text += c === undefined ? '=' : ALPHABET[triple & 63]!
  }
  return text
}

/** Decodes canonical padded base64; throws RangeError on anything else. */
export function decodeBase64(text: string): Uint8Array {
  if (!BASE64_PATTERN.test(text)) throw new RangeError('not valid base64 (expected padded RFC 4648 text)')
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0
  const bytes = new Uint8Array((text.length / 4) * 3 - padding)
  let out = 0
  for (let i = 0; i < text.length; i += 4) {
    let triple = 0
    for (let j = 0; j < 4; j++) triple = (triple << 6) | (VALUES.get(text[i + j]!) ?? 0)
    for (const shift of [16, 8, 0]) if (out < bytes.length) bytes[out++] = (triple >> shift) & 0xff
  }
  return bytes
}
