/** Named errors for broken invariants and refused operations; callers match on the class. */
export class StrataError extends Error {
  override name = 'StrataError'
}

/** A write was attempted on an old version opened for viewing. */
export class ReadOnlyError extends StrataError {
  override name = 'ReadOnlyError'
  constructor(what = 'This version is read-only') {
    super(what)
  }
}

/** A version was requested when nothing changed since the last one. */
export class NoChangesError extends StrataError {
  override name = 'NoChangesError'
}

/** This replica has not yet received everything a version covers. */
export class VersionNotAvailableError extends StrataError {
  override name = 'VersionNotAvailableError'
}

/** A version of a sharded project cannot be cut yet: this replica lacks part of some shards (`missing`, by index). */
export class ShardsIncompleteError extends VersionNotAvailableError {
  override name = 'ShardsIncompleteError'
  constructor(
    message: string,
    readonly missing: number[],
  ) {
    super(message)
  }
}

/** An id that does not exist in the project. */
export class NotFoundError extends StrataError {
  override name = 'NotFoundError'
}

/** A version that was deleted; `deleted` says what it was and who deleted it. */
export class VersionDeletedError extends NotFoundError {
  override name = 'VersionDeletedError'
  constructor(
    message: string,
    readonly deleted: { id: string; name: string; deletedBy: { name: string }; deletedAt: number },
  ) {
    super(message)
  }
}

/** Input that does not satisfy a record's schema; the message names the field. */
export class ValidationError extends StrataError {
  override name = 'ValidationError'
}

/** A document with garbage collection on cannot keep versions. */
export class HistoryNotKeptError extends StrataError {
  override name = 'HistoryNotKeptError'
}

/** A document whose layout (`meta.schema`) is not the one an operation works on; `found` is what it records. */
export class SchemaError extends StrataError {
  override name = 'SchemaError'
  constructor(
    message: string,
    readonly found: unknown,
  ) {
    super(message)
  }
}
