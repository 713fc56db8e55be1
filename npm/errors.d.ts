/**
 * The stable `code` of an {@link EdgeAuthError}:
 * - thrown synchronously when the API is misused: `INVALID_ARGUMENT` (wrong type or shape),
 *   `UNKNOWN_OPTION`, `INVALID_STORE` (no store, or one without KV's get/put/delete/list),
 *   `UNKNOWN_PROVIDER` (a provider id this package does not implement);
 * - the rejection of the identity CRUD methods: `NOT_FOUND`, `INVALID_DATA`, `CONFLICT`, `STORE_ERROR`.
 */
export type EdgeAuthErrorCode =
  | "INVALID_ARGUMENT"
  | "UNKNOWN_OPTION"
  | "INVALID_STORE"
  | "UNKNOWN_PROVIDER"
  | "NOT_FOUND"
  | "INVALID_DATA"
  | "CONFLICT"
  | "STORE_ERROR";

/** The error class of edge-auth; `message` says what to pass instead. */
export declare class EdgeAuthError extends Error {
  constructor(code: EdgeAuthErrorCode, message: string);
  readonly name: "EdgeAuthError";
  readonly code: EdgeAuthErrorCode;
}
