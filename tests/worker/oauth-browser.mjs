// A minimal scripted browser for the third-party sign-in tests: a cookie jar per host, redirects followed
// by hand (so every hop can be checked), requests to the Worker dispatched into workerd and everything
// else over the network, and oidc-provider's development login and consent forms filled in.

import assert from "node:assert/strict";

export const WORKER_ORIGIN = "https://edge-auth.test";

/** The name=value part and the attributes of a Set-Cookie line. */
export function parseSetCookie(line) {
  const [pair, ...attrs] = line.split(";").map((s) => s.trim());
  const eq = pair.indexOf("=");
  const attributes = {};
  for (const a of attrs) {
    const i = a.indexOf("=");
    attributes[(i < 0 ? a : a.slice(0, i)).toLowerCase()] = i < 0 ? true : a.slice(i + 1);
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
}

export class Browser {
  /** `worker` from harness.mjs; `isFrontend(url)` marks pages the browser stops at instead of loading. */
  constructor(worker, { isFrontend = (url) => url.startsWith("https://shop.example/") } = {}) {
    this.worker = worker;
    this.isFrontend = isFrontend;
    this.jar = new Map(); // hostname -> Map(name -> value); like browsers, cookies ignore ports
    this.hops = [];
  }

  cookiesFor(url) {
    const jar = this.jar.get(new URL(url).hostname);
    return jar ? [...jar].map(([k, v]) => `${k}=${v}`).join("; ") : "";
  }

  cookie(host, name) {
    return this.jar.get(host)?.get(name);
  }

  remember(url, response) {
    const host = new URL(url).hostname;
    for (const line of response.headers.getSetCookie()) {
      const c = parseSetCookie(line);
      if (c.name.startsWith("__Host-")) {
        // What a browser enforces for the prefix.
        assert.ok(c.attributes.secure && c.attributes.path === "/" && !c.attributes.domain, line);
      }
      const jar = this.jar.get(host) ?? new Map();
      if (c.attributes["max-age"] === "0") jar.delete(c.name);
      else jar.set(c.name, c.value);
      this.jar.set(host, jar);
    }
  }

  /** One request, no redirect following; cookies sent and stored. */
  async request(url, { method = "GET", headers = {}, body } = {}) {
    const cookie = this.cookiesFor(url);
    const init = { method, headers: { ...headers, ...(cookie ? { cookie } : {}) }, body, redirect: "manual" };
    const response = url.startsWith(WORKER_ORIGIN) ? await this.worker.fetch(url, init) : await fetch(url, init);
    this.remember(url, response);
    this.hops.push({ method, url, status: response.status });
    return response;
  }

  /**
   * Navigates to `url` and keeps going — redirects, oidc-provider's login (as `login`) and consent
   * forms — until a frontend URL (not loaded) or a page that is neither. Returns { url, response }.
   */
  async navigate(url, { login = "jane", maxHops = 20 } = {}) {
    for (let hop = 0; hop < maxHops; hop++) {
      if (this.isFrontend(url)) return { url, response: null };
      const response = await this.request(url);
      if (response.status >= 300 && response.status < 400) {
        url = new URL(response.headers.get("location"), url).href;
        continue;
      }
      const type = response.headers.get("content-type") ?? "";
      if (response.status === 200 && type.startsWith("text/html") && !url.startsWith(WORKER_ORIGIN)) {
        const html = await response.text();
        const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
        const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
        assert.ok(action && prompt, `an OP page without a form: ${html.slice(0, 300)}`);
        const fields = prompt === "login" ? { prompt, login, password: "any" } : { prompt };
        const submitted = await this.request(new URL(action.replaceAll("&amp;", "&"), url).href, {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams(fields).toString(),
        });
        assert.ok(submitted.status >= 300 && submitted.status < 400, `form answered ${submitted.status}`);
        url = new URL(submitted.headers.get("location"), url).href;
        continue;
      }
      return { url, response };
    }
    throw new Error(`more than ${maxHops} hops: ${this.hops.map((h) => h.url).join(" -> ")}`);
  }
}
