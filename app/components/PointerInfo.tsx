// SPDX-License-Identifier: GPL-2.0-only
/**
 * The pointed object in words: what holds it and what it holds, the same
 * chain the graph lights up. For the keyboard and screen readers, and as
 * the presenter's caption for what they point at.
 */
import { useMemo } from "react";
import { pointerText } from "../graph/highlight";
import { buildGraph } from "../graph/model";
import { useScope } from "../store";

const NO_FINDINGS: never[] = [];

export function PointerInfo({ target, placeholder }: { target: string | null; placeholder?: string }) {
  const view = useScope((s) => s.view);
  const prev = useScope((s) => s.prev);
  const findings = useScope((s) => s.detail?.findings ?? NO_FINDINGS);
  const graph = useMemo(() => (view ? buildGraph(view, prev, findings) : null), [view, prev, findings]);
  const text = graph && target ? pointerText(graph, target) : null;
  if (!text && !placeholder) return null;
  return (
    <p className={`pointer-info${text ? "" : " quiet"}`} aria-live="polite" data-testid="pointer-info">
      {text ?? placeholder}
    </p>
  );
}
