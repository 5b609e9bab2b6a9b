import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { DASHBOARD_ASSETS, DASHBOARD_FIRST_LOAD_GZIP_BYTES } from "./built/dashboard-assets.js";
import { dashboardRoutes } from "./dashboard-routes.ts";

const app = dashboardRoutes();
const get = (path: string, headers: Record<string, string> = {}) =>
  app.fetch(new Request(`http://gateway.test${path}`, { headers }));

describe("the dashboard routes", () => {
  it("answer every page path with the shell, which loads the hashed bundle under a strict CSP", async () => {
    for (const path of ["/dashboard/", "/dashboard/test-runs/17", "/dashboard/runs/3", "/dashboard/keys"]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
      const html = await res.text();
      const scripts = [...html.matchAll(/src="\/dashboard\/assets\/([^"]+)"/g)].map((m) => m[1]);
      expect(scripts).toHaveLength(1);
      expect(Object.keys(DASHBOARD_ASSETS)).toContain(scripts[0]);
    }
  });

  it("serves an asset by its hashed name, cached for good, and answers 404 for any other name", async () => {
    const [name, asset] = Object.entries(DASHBOARD_ASSETS).find(([n]) => n.endsWith(".js")) ?? [];
    const res = await get(`/dashboard/assets/${name}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await res.text()).toBe(asset?.body);
    expect((await get("/dashboard/assets/app-0000000000.js")).status).toBe(404);
  });

  it("gzips on Node when the browser accepts it", async () => {
    const [name, asset] = Object.entries(DASHBOARD_ASSETS).find(([n]) => n.endsWith(".js")) ?? [];
    const res = await get(`/dashboard/assets/${name}`, { "Accept-Encoding": "gzip" });
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(gunzipSync(Buffer.from(await res.arrayBuffer())).toString("utf8")).toBe(asset?.body);
  });

  it("redirects the root and /dashboard to the dashboard's home", async () => {
    for (const path of ["/", "/dashboard"]) {
      const res = await get(path);
      expect(res.status).toBe(302);
      expect(res.headers.get("location")).toBe("/dashboard/");
    }
  });

  it("keeps the first load (HTML, JS, CSS) under 200 KB gzipped", () => {
    expect(DASHBOARD_FIRST_LOAD_GZIP_BYTES.total_gzip).toBeLessThan(200 * 1024);
  });
});
