/** sha256 of some bytes as lowercase hex, through WebCrypto (browser, worker and Node alike). */
export const sha256Hex = async (bytes: Uint8Array<ArrayBuffer> | ArrayBuffer): Promise<string> => {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))
  let hex = ''
  for (const b of digest) hex += b.toString(16).padStart(2, '0')
  return hex
}

/** The UTF-8 bytes of a text and their sha256: what a prediction run's blob is named by. */
export const hashText = async (text: string): Promise<{ bytes: Uint8Array<ArrayBuffer>; sha256: string }> => {
  const bytes = new TextEncoder().encode(text) as Uint8Array<ArrayBuffer>
  return { bytes, sha256: await sha256Hex(bytes) }
}
