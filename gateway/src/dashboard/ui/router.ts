/** Path routing under /dashboard/ with the History API, so every page has a link of its own. */
import { useEffect, useState } from "preact/hooks";

export const BASE = "/dashboard";

export type Route =
  | { page: "test-runs" }
  | { page: "test-run"; id: number }
  | { page: "run"; id: number }
  | { page: "agents" }
  | { page: "agent"; id: number | "new" }
  | { page: "scenarios" }
  | { page: "scenario"; id: number | "new" }
  | { page: "keys" }
  | { page: "not-found"; path: string };

const idOf = (text: string | undefined): number | null =>
  text !== undefined && /^[1-9]\d{0,15}$/.test(text) ? Number(text) : null;

/** `/dashboard/test-runs/17` → `{page: "test-run", id: 17}`. */
export function routeOf(pathname: string): Route {
  const rest = pathname.startsWith(BASE) ? pathname.slice(BASE.length) : pathname;
  const [area = "", item, extra] = rest.split("/").filter(Boolean);
  if (extra !== undefined) return { page: "not-found", path: pathname };
  const id = idOf(item);
  switch (area) {
    case "":
    case "test-runs":
      if (item === undefined) return { page: "test-runs" };
      return id === null ? { page: "not-found", path: pathname } : { page: "test-run", id };
    case "runs":
      return id === null ? { page: "not-found", path: pathname } : { page: "run", id };
    case "agents":
    case "scenarios": {
      const one = area === "agents" ? "agent" : "scenario";
      if (item === undefined) return { page: area };
      if (item === "new") return { page: one, id: "new" };
      return id === null ? { page: "not-found", path: pathname } : { page: one, id };
    }
    case "keys":
      return item === undefined ? { page: "keys" } : { page: "not-found", path: pathname };
    default:
      return { page: "not-found", path: pathname };
  }
}

export function navigate(path: string): void {
  history.pushState(null, "", path);
  dispatchEvent(new PopStateEvent("popstate"));
}

/** The current path, updated on navigation and on the back button. */
export function usePath(): string {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const update = () => setPath(location.pathname);
    addEventListener("popstate", update);
    return () => removeEventListener("popstate", update);
  }, []);
  return path;
}

/** A same-origin link that navigates without a reload (modified clicks keep the browser's way). */
export function onLinkClick(event: MouseEvent): void {
  const anchor = (event.target as Element | null)?.closest?.("a");
  if (anchor === null || anchor === undefined || anchor.target || anchor.origin !== location.origin) return;
  if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  if (!anchor.pathname.startsWith(`${BASE}/`)) return;
  event.preventDefault();
  navigate(anchor.pathname);
}
