/**
 * The stable `code` of an {@link EdgeAuthError}:
 * - thrown synchronously when the API is misused: `INVALID_ARGUMENT` (wrong type or shape),
 *   `UNKNOWN_OPTION`, `INVALID_STORE` (no store, or one without KV's get/put/delete/list),
 *   `UNKNOWN_PROVIDER` (a provider id this package does not implement);
 * - the rejection of the identity CRUD methods: `NOT_FOUND`, `INVALID_DATA`, `CONFLICT`, `STORE_ERROR`;
 * - the rejection of the account methods: `UNAUTHORIZED` (no usable token or session),
 *   `INVALID_RESET_TOKEN`, `INVALID_DATA`, `WRONG_CURRENT_PASSWORD`, `NO_PASSWORD`,
 *   `TOO_MANY_REQUESTS` (with `retryAfter`), `STORE_ERROR`;
 * - the rejection of the MFA methods: `NOT_FOUND`, `INVALID_DATA`, `NOT_ALLOWED` (a wrong or reused
 *   code, a spent or expired challenge), `STORE_ERROR`.
 */
export type EdgeAuthErrorCode =
  | "INVALID_ARGUMENT"
  | "UNKNOWN_OPTION"
  | "INVALID_STORE"
  | "UNKNOWN_PROVIDER"
  | "NOT_FOUND"
  | "INVALID_DATA"
  | "CONFLICT"
  | "STORE_ERROR"
  | "UNAUTHORIZED"
  | "INVALID_RESET_TOKEN"
  | "WRONG_CURRENT_PASSWORD"
  | "NO_PASSWORD"
  | "TOO_MANY_REQUESTS"
  | "NOT_ALLOWED";

/** The error class of edge-auth; `message` says what to pass instead. */
export declare class EdgeAuthError extends Error {
  constructor(code: EdgeAuthErrorCode, message: string);
  readonly name: "EdgeAuthError";
  readonly code: EdgeAuthErrorCode;
  /** With `TOO_MANY_REQUESTS`: seconds until the attempt may be made again. */
  readonly retryAfter?: number;
}
