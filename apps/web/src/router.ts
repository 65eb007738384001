import { useEffect, useState } from "preact/hooks";

/** The pages of the UI, addressed by the URL hash (`#/runs/<id>`), so any page can be bookmarked. */
export type Route =
  | { page: "dashboard" }
  | { page: "tests"; query: URLSearchParams }
  | { page: "test"; id: string }
  | { page: "runs"; query: URLSearchParams }
  | { page: "run"; id: string }
  | { page: "runners" }
  | { page: "suites" }
  | { page: "tokens" }
  | { page: "not-found"; path: string };

/** Reads a route from a location hash such as `#/tests?q=api` or `#/runs/3f2…`. */
export function parseRoute(hash: string): Route {
  const [path = "", search = ""] = hash.replace(/^#/, "").split("?");
  const query = new URLSearchParams(search);
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const [first, id, ...rest] = parts;
  if (rest.length) return { page: "not-found", path };
  if (!first) return { page: "dashboard" };
  if (first === "tests") return id ? { page: "test", id } : { page: "tests", query };
  if (first === "runs") return id ? { page: "run", id } : { page: "runs", query };
  if (!id && (first === "runners" || first === "suites" || first === "tokens")) return { page: first };
  return { page: "not-found", path };
}

/** The current route, updated on every hash change. */
export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(window.location.hash));
  useEffect(() => {
    const update = () => {
      setRoute(parseRoute(window.location.hash));
      window.scrollTo(0, 0);
    };
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}

/** Navigates to a hash route. */
export function navigate(hash: string): void {
  window.location.hash = hash;
}
