// Test-only: the events whose data carries what a shop would mail — `auth.password_reset` (Medusa's
// reset-password route, core-flows' generateResetPasswordTokenWorkflow: `{entity_id, actor_type, token,
// metadata}`) and `auth.verification_requested` (its /auth/verification/request route: `{entity_id,
// entity_type, code, expires_at, …}`) — appended as one JSON line `{name, data}` to the file
// EDGE_AUTH_E2E_RESET_FILE names, where tests/medusa/e2e.test.mjs reads them. Does nothing without the
// variable.
const { appendFileSync } = require("node:fs")

exports.default = async function captureMailedSecrets({ event }) {
  const file = process.env.EDGE_AUTH_E2E_RESET_FILE
  if (!file) return
  appendFileSync(file, `${JSON.stringify({ name: event.name, data: event.data })}\n`)
}

exports.config = { event: ["auth.password_reset", "auth.verification_requested"] }
