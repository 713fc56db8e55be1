// A JavaScript Cloudflare Worker that uses the installed `edge-auth` package with a Workers KV binding
// as its store: the README's Worker example, plus routes the test calls.
import { AuthModuleService, EdgeAuthError } from "edge-auth";

function authModule(env) {
  return new AuthModuleService({
    store: env.AUTH_KV,
    providers: [{ id: "emailpass", options: { iterations: Number(env.PBKDF2_ITERATIONS) } }],
  });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const body = request.method === "POST" ? await request.json() : {};
    const authModuleService = authModule(env);
    switch (url.pathname) {
      case "/register":
        return Response.json(await authModuleService.register("emailpass", { body }));
      case "/authenticate":
        return Response.json(
          await authModuleService.authenticate("emailpass", {
            url: request.url,
            headers: Object.fromEntries(request.headers),
            query: Object.fromEntries(url.searchParams),
            body,
            protocol: url.protocol.slice(0, -1),
          }),
        );
      case "/update":
        return Response.json(await authModuleService.updateProvider("emailpass", body));
      case "/identity":
        try {
          return Response.json(await authModuleService.retrieveAuthIdentity(url.searchParams.get("id")));
        } catch (e) {
          if (e instanceof EdgeAuthError) return Response.json({ code: e.code, message: e.message }, { status: 404 });
          throw e;
        }
      case "/misuse":
        try {
          new AuthModuleService({ store: env.AUTH_KV, providers: [{ id: "emailpass", options: { iterations: "many" } }] });
          return Response.json({ threw: false });
        } catch (e) {
          return Response.json({ threw: true, isEdgeAuthError: e instanceof EdgeAuthError, code: e.code, message: e.message });
        }
    }
    return new Response("not found", { status: 404 });
  },
};
