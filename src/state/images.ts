/**
 * Object URLs for a project's images, made once per hash while the project is open. The
 * engine answers the file (from this device or the server); the server sends every blob as
 * octet-stream, so the item's own mime type is put back here.
 */
export class ImageUrls {
  #urls = new Map<string, Promise<string | null>>()
  #closed = false

  constructor(readonly fetch: (sha: string, mime: string) => Promise<Blob | null>) {}

  url(sha: string, mime: string): Promise<string | null> {
    let url = this.#urls.get(sha)
    if (!url) {
      url = this.fetch(sha, mime).then(
        (blob) => (blob && !this.#closed ? URL.createObjectURL(blob.type === mime ? blob : new Blob([blob], { type: mime })) : null),
        // Storage refused (private mode, a full disk), or the project closed: shown as unavailable.
        () => null,
      )
      this.#urls.set(sha, url)
      void url.then((u) => u === null && this.#urls.delete(sha))
    }
    return url
  }

  close(): void {
    this.#closed = true
    for (const url of this.#urls.values()) void url.then((u) => u && URL.revokeObjectURL(u))
    this.#urls.clear()
  }
}
