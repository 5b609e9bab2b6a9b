/**
 * The dashboard's pages, served by the gateway itself on every runtime: `/dashboard/*` answers the
 * HTML shell (the client routes by path, so a `report_url` opens its page directly) and
 * `/dashboard/assets/<hashed name>` the bundle, cached for good since its name changes with it.
 * The pages read the same `/v1` API with the key the person signed in with.
 */
import { Hono } from "hono";
import { getRuntimeKey } from "hono/adapter";
import { compress } from "hono/compress";
import { DASHBOARD_ASSETS, DASHBOARD_INDEX_HTML } from "./built/dashboard-assets.js";

/** Scripts and styles only from the gateway; media from blob: URLs (recordings fetched with the key). */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  // wavesurfer.js sets element styles from script.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  // wavesurfer.js reads the recording's blob: URL with fetch.
  "connect-src 'self' blob:",
  "frame-ancestors 'none'",
].join("; ");

function page(): Response {
  return new Response(DASHBOARD_INDEX_HTML, {
    headers: {
      "Content-Type": "text/html; charset=utf-8",
      "Cache-Control": "no-cache",
      "Content-Security-Policy": CONTENT_SECURITY_POLICY,
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
    },
  });
}

/** The routes, to mount at the app's root; they need no API key (the pages hold no data). */
export function dashboardRoutes(): Hono {
  const pages = new Hono();
  // Cloudflare compresses at its edge; Node's server does not, so the gateway does it there.
  if (getRuntimeKey() === "node") pages.use("/dashboard/*", compress());
  pages.get("/", (c) => c.redirect("/dashboard/"));
  pages.get("/dashboard", (c) => c.redirect("/dashboard/"));
  pages.get("/dashboard/assets/:name", (c) => {
    const asset = DASHBOARD_ASSETS[c.req.param("name")];
    if (asset === undefined) return c.text("no such dashboard asset", 404);
    return c.body(asset.body, 200, {
      "Content-Type": asset.contentType,
      "Cache-Control": "public, max-age=31536000, immutable",
      "X-Content-Type-Options": "nosniff",
    });
  });
  pages.get("/dashboard/*", () => page());
  return pages;
}
