// Reads a JWT's payload for display. It does NOT verify the signature (the page has no key, and must not):
// the Worker verifies every token it is given, so nothing here is trusted for a decision.

function base64UrlToText(part) {
  const base64 = part.replaceAll("-", "+").replaceAll("_", "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  const bytes = Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  return new TextDecoder().decode(bytes);
}

/** The payload of a compact JWS as an object, or null if `token` is not one. */
export function decodeClaims(token) {
  const parts = typeof token === "string" ? token.split(".") : [];
  if (parts.length !== 3) return null;
  try {
    const payload = JSON.parse(base64UrlToText(parts[1]));
    return payload && typeof payload === "object" ? payload : null;
  } catch {
    return null;
  }
}

/** "2026-11-27 14:03:12 UTC (in 23 h 59 min)", or "(just now)", for a NumericDate. */
export function describeTime(seconds, now = Date.now()) {
  if (typeof seconds !== "number") return "—";
  const date = new Date(seconds * 1000);
  const stamp = date.toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
  const minutes = Math.round((date.getTime() - now) / 60000);
  if (minutes === 0) return `${stamp} (just now)`;
  const size = Math.abs(minutes);
  const span = size >= 60 ? `${Math.floor(size / 60)} h${size % 60 ? ` ${size % 60} min` : ""}` : `${size} min`;
  return `${stamp} (${minutes > 0 ? `in ${span}` : `${span} ago`})`;
}
