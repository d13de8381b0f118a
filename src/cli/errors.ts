/** A failure the CLI reports in one line and exits non-zero for; `code` 2 means bad usage. */
export class CliError extends Error {
  override name = 'CliError'
  constructor(message: string, readonly code = 1) {
    super(message)
  }
}
