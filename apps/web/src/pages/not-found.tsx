import { Empty } from "../components/states.js";

/** An address the UI does not know. */
export function NotFoundPage({ path }: { path: string }) {
  return (
    <Empty title={`There is no page at “${path}”`}>
      Go to the <a href="#/">dashboard</a> or pick a page from the menu.
    </Empty>
  );
}
