// `medusa exec ./src/scripts/seed-publishable-key.js`: what a storefront needs before its first call, made
// through Medusa's own workflows — a sales channel and a publishable API key linked to it. Prints the key
// on a line of its own, `PUBLISHABLE_KEY=<token>`, for tests/medusa/run.sh.
const {
  createApiKeysWorkflow,
  createSalesChannelsWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
} = require("@medusajs/medusa/core-flows")

exports.default = async function seedPublishableKey({ container }) {
  const {
    result: [channel],
  } = await createSalesChannelsWorkflow(container).run({
    input: { salesChannelsData: [{ name: "edge-auth e2e storefront" }] },
  })
  const {
    result: [key],
  } = await createApiKeysWorkflow(container).run({
    input: { api_keys: [{ title: "edge-auth e2e storefront", type: "publishable", created_by: "" }] },
  })
  await linkSalesChannelsToApiKeyWorkflow(container).run({
    input: { id: key.id, add: [channel.id] },
  })
  process.stdout.write(`PUBLISHABLE_KEY=${key.token}\n`)
}
