// SPDX-License-Identifier: GPL-2.0-only
/**
 * Which layout the window gets. Wide (≥ 1200 px): editor | graph | side
 * panel. Medium (900-1199 px, e.g. 1024×768): the editor and the side
 * panel share the left column as tabs, so the graph keeps its width.
 * Narrow (< 900 px, e.g. 800×900): one column, the graph on top and the
 * editor, the details and the lifetimes as tabs under it.
 */
import { useEffect, useState } from "react";

export type LayoutWidth = "wide" | "medium" | "narrow";

export const MEDIUM_BELOW = 1200;
export const NARROW_BELOW = 900;

export function layoutFor(width: number): LayoutWidth {
  return width < NARROW_BELOW ? "narrow" : width < MEDIUM_BELOW ? "medium" : "wide";
}

export function useLayoutWidth(): LayoutWidth {
  const [layout, setLayout] = useState<LayoutWidth>(() => layoutFor(window.innerWidth));
  useEffect(() => {
    const on = () => setLayout(layoutFor(window.innerWidth));
    window.addEventListener("resize", on);
    return () => window.removeEventListener("resize", on);
  }, []);
  return layout;
}
