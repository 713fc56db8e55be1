// Test-only: the `auth.password_reset` event Medusa's reset-password route emits (core-flows'
// generateResetPasswordTokenWorkflow), appended as one JSON line `{entity_id, actor_type, token, metadata}`
// to the file EDGE_AUTH_E2E_RESET_FILE names, where tests/medusa/e2e.test.mjs reads the reset token a shop
// would mail. Does nothing without the variable.
const { appendFileSync } = require("node:fs")

exports.default = async function capturePasswordReset({ event }) {
  const file = process.env.EDGE_AUTH_E2E_RESET_FILE
  if (!file) return
  appendFileSync(file, `${JSON.stringify(event.data)}\n`)
}

exports.config = { event: "auth.password_reset" }
