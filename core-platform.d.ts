/**
 * The few platform globals the core (src/domain, src/io, src/quality) uses, declared for
 * tsconfig.core.json, which has no DOM, WebWorker or Node types so that the core cannot reach
 * for a document, a window or a file. Each exists with these signatures in browsers, workers
 * and Node ≥ 20 alike. Only the members the core calls; the full app build uses the DOM lib.
 */

interface CoreCrypto {
  randomUUID(): string
  getRandomValues<T extends Uint8Array>(array: T): T
  readonly subtle: { digest(algorithm: 'SHA-256', data: Uint8Array<ArrayBuffer> | ArrayBuffer): Promise<ArrayBuffer> }
}
declare var crypto: CoreCrypto

declare class TextEncoder {
  encode(input?: string): Uint8Array
}
declare class TextDecoder {
  decode(input?: Uint8Array): string
}

/** Used only to yield between chunks of long work. */
declare function setTimeout(callback: () => void, ms?: number): unknown
