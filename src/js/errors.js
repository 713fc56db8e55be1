// The error class of the edge-auth JavaScript API. The Rust side (src/js/error.rs) constructs it; the
// package entries re-export this very module, so `err instanceof EdgeAuthError` holds for errors thrown by
// the wasm.

/**
 * Thrown (synchronously) when the API itself is misused, and the rejection of the identity CRUD and account
 * methods. `code` is stable; `message` says what to pass instead; `retryAfter` (seconds) comes with
 * `TOO_MANY_REQUESTS`.
 */
export class EdgeAuthError extends Error {
  constructor(code, message) {
    super(message);
    this.name = "EdgeAuthError";
    this.code = code;
  }
}
