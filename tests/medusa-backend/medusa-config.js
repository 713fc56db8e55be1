// The stock Medusa 2.21.2 backend of the `medusa` test stage (docs/development.md#test-stages), configured
// from the environment only, so the tests can restart it in another token mode. Variables (set by
// tests/medusa/stack.mjs):
//   DATABASE_URL            the private PostgreSQL cluster (tests/medusa/run.sh)
//   JWT_SECRET              HS256 mode: the Worker's JWT_SECRET (verifies its tokens)
//   JWT_PUBLIC_KEY          asymmetric mode: the Worker's public key (PEM); then JWT_ALGORITHMS too
//   JWT_ALGORITHMS          comma-separated, pinned in jwtVerifyOptions (e.g. "ES256")
//   EDGE_AUTH_URL           the Worker; unset = Medusa's own Auth Module (to prove the backend alone)
//   EDGE_AUTH_ADMIN_SECRET  the Worker's ADMIN_SECRET
//   EDGE_AUTH_TIMEOUT_MS    the bridge's timeout per call to the Worker (default 5000)
//   STORE_CORS, ADMIN_CORS, AUTH_CORS, COOKIE_SECRET
const { defineConfig, Modules } = require("@medusajs/framework/utils")

const algorithms = (process.env.JWT_ALGORITHMS ?? "")
  .split(",")
  .map((name) => name.trim())
  .filter(Boolean)

const http = {
  storeCors: process.env.STORE_CORS ?? "",
  adminCors: process.env.ADMIN_CORS ?? "",
  authCors: process.env.AUTH_CORS ?? "",
  jwtSecret: process.env.JWT_SECRET,
  cookieSecret: process.env.COOKIE_SECRET,
}
if (process.env.JWT_PUBLIC_KEY) {
  // Medusa verifies bearer tokens with `jwtPublicKey ?? jwtSecret`; the algorithms are pinned so that a
  // token whose header names another algorithm (HS256 with the old secret, for one) is refused.
  http.jwtPublicKey = process.env.JWT_PUBLIC_KEY
  http.jwtVerifyOptions = { algorithms }
  // `medusa start` (NODE_ENV=production) also refuses a public key without `jwtOptions.algorithm`, the
  // options Medusa signs its own tokens with. The Worker signs every token here; the backend, which has no
  // private key, could not sign one in this mode anyway.
  http.jwtOptions = { algorithm: algorithms[0] }
}

const modules = []
if (process.env.EDGE_AUTH_URL) {
  modules.push({
    key: Modules.AUTH,
    resolve: "edge-auth/medusa",
    options: {
      url: process.env.EDGE_AUTH_URL,
      adminSecret: process.env.EDGE_AUTH_ADMIN_SECRET,
      timeoutMs: Number(process.env.EDGE_AUTH_TIMEOUT_MS ?? 5000),
    },
  })
}

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: process.env.DATABASE_URL,
    http,
  },
  // No dashboard: it would need a Vite build, and the tests call the API only.
  admin: { disable: true },
  modules,
})
