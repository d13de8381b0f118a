/** Expected bad input comes back as a reason, not a throw: files are the edge of the app. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: string }

/** A successful result. */
export const ok = <T>(value: T): Result<T> => ({ ok: true, value })

/** A refusal with a reason a person can act on. */
export const fail = <T>(error: string): Result<T> => ({ ok: false, error })

/** Joins the first few problems of a list into one message, saying how many were left out. */
export const listProblems = (problems: string[], shown = 5): string => {
  const head = problems.slice(0, shown).join('; ')
  return problems.length > shown ? `${head}; and ${problems.length - shown} more` : head
}
