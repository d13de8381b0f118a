/** Saves text as a file through the browser's download. */
export const downloadText = (filename: string, text: string, type = 'application/json'): void => {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** A file name made of a project's and a version's names. */
export const fileSlug = (...parts: string[]): string => parts.map((p) => p.replace(/[^a-z0-9._-]+/gi, '-').replace(/^-|-$/g, '')).filter(Boolean).join('-')

/** Saves a Blob (an archive built from parts) through the browser's download. */
export const downloadBlob = (filename: string, blob: Blob): void => {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.click()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}
