// The DEV ONLY outbox panel: in local development (ENVIRONMENT=development) the Worker's reset deliveries go
// to its own dev-only webhook sink, and GET /__dev/outbox lists them. Outside development the panel stays
// hidden and the endpoint answers 404.

import * as api from "./api.js";
import { byId } from "./ui.js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function status(text) {
  byId("dev-outbox-status").textContent = text;
}

/** Renders the deliveries (newest first): who, when, and a link back to this page with the reset token. */
export function renderOutbox(deliveries, pageUrl) {
  const list = byId("dev-outbox-list");
  list.replaceChildren();
  for (const delivery of deliveries) {
    const data = delivery.data ?? {};
    const item = document.createElement("li");
    const what = document.createElement("div");
    const when = new Date(delivery.received_at).toLocaleTimeString();
    const verification = delivery.event === "auth.verification_requested";
    const kind = verification ? "Email verification" : "Password reset";
    what.textContent = `${kind} for ${data.entity_id ?? "?"} (${data.actor_type ?? "?"}), received ${when}`;
    item.append(what);
    if (verification && typeof data.code === "string") {
      // What a real mail would carry: the code, to type (or paste) into the verify-email step.
      const line = document.createElement("div");
      const code = document.createElement("code");
      code.className = "outbox-code";
      code.textContent = data.code;
      line.append("Code: ", code);
      item.append(line);
    }
    if (typeof data.token === "string") {
      const link = document.createElement("a");
      // What a real mail would carry: this page, with the token in the fragment (never sent to a server).
      link.href = `${pageUrl}#reset_token=${encodeURIComponent(data.token)}`;
      link.textContent = `Open the reset link for ${data.entity_id ?? "this account"}`;
      link.className = "outbox-link";
      item.append(link);
    }
    list.append(item);
  }
  if (deliveries.length === 0) status("The outbox is empty.");
}

/** Loads and shows the outbox; answers its deliveries ([] on failure, with the reason shown). */
export async function devOutbox(pageUrl) {
  try {
    const { deliveries = [] } = (await api.devOutbox()) ?? {};
    renderOutbox(deliveries, pageUrl);
    if (deliveries.length) status(`${deliveries.length} ${deliveries.length === 1 ? "delivery" : "deliveries"}.`);
    return deliveries;
  } catch (error) {
    status(`Could not read the outbox: ${error.message}`);
    return [];
  }
}

/** After a reset (or verification) request: polls briefly, since the Worker delivers after answering
 * (ctx.waitUntil). `found`: what to tell once it arrived. */
export async function waitForDelivery(sinceMs, pageUrl, { timeoutMs = 8000, found = "New delivery: follow its link below." } = {}) {
  status("Waiting for the delivery…");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const deliveries = await devOutbox(pageUrl);
    // Clocks of page and Worker are the same machine's in local development; allow a little skew anyway.
    if (deliveries.some((d) => d.received_at >= sinceMs - 2000)) {
      status(found);
      return true;
    }
    await sleep(400);
  }
  status("Nothing arrived (no account with that email, or RESET_PASSWORD_WEBHOOK_URL does not point at /__dev/outbox).");
  return false;
}
