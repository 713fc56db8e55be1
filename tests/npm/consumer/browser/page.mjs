// Runs the seed page's flows with the package's browser entry and posts a JSON report to /report.
import { AuthModuleService, EdgeAuthError, MemoryStore } from "edge-auth";

const report = {};
try {
  const authModuleService = new AuthModuleService({
    store: new MemoryStore(),
    providers: [{ id: "emailpass", options: { iterations: 1000 } }],
  });
  const body = { email: "browser@example.com", password: "supersecret" };
  report.register = await authModuleService.register("emailpass", { body });
  report.authenticate = await authModuleService.authenticate("emailpass", { body });
  report.wrong = await authModuleService.authenticate("emailpass", { body: { ...body, password: "nope" } });
  report.update = await authModuleService.update("emailpass", { email: body.email, password: "newsecret1" });
  report.google = await authModuleService.authenticate("google", {});
  try {
    new AuthModuleService({ store: new MemoryStore(), providers: [{ id: "emailpass", options: { iterations: "x" } }] });
  } catch (e) {
    report.misuse = { isEdgeAuthError: e instanceof EdgeAuthError, code: e.code };
  }
  const timed = new AuthModuleService({ store: new MemoryStore(), providers: [{ id: "emailpass", options: { iterations: 600000 } }] });
  report.ms = [];
  for (const email of ["first@example.com", "second@example.com"]) {
    const started = performance.now();
    report.timed = (await timed.register("emailpass", { body: { email, password: "supersecret" } })).success;
    report.ms.push(Math.round(performance.now() - started));
  }
  report.userAgent = navigator.userAgent;
} catch (e) {
  report.exception = String(e && e.stack ? e.stack : e);
}
document.getElementById("result").textContent = JSON.stringify(report);
await fetch("/report", { method: "POST", body: JSON.stringify(report) });
