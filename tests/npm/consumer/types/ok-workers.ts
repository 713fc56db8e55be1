// Must compile with @cloudflare/workers-types: a Workers KV binding is a store as it is.
import { AuthModuleService } from "edge-auth";

interface Env {
  AUTH_KV: KVNamespace;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const authModuleService = new AuthModuleService({
      store: env.AUTH_KV,
      providers: [{ id: "emailpass", options: { iterations: 600000 } }],
    });
    const body = (await request.json()) as Record<string, unknown>;
    return Response.json(await authModuleService.authenticate("emailpass", { body }));
  },
} satisfies ExportedHandler<Env>;
