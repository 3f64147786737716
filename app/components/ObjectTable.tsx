// SPDX-License-Identifier: GPL-2.0-only
/** The graph's state as text: every object and its counters, for screen readers and for copying. */
import { buildGraph } from "../graph/model";
import { point, select, useScope } from "../store";

export function ObjectTable() {
  const view = useScope((s) => s.view);
  const prev = useScope((s) => s.prev);
  const detail = useScope((s) => s.detail);
  const selection = useScope((s) => s.selection);
  if (!view) return null;
  const graph = buildGraph(view, prev, detail?.findings ?? []);
  return (
    <section className="objects" aria-label="objects as text">
      <h2>objects at step {view.step}</h2>
      <table data-testid="object-table">
        <thead>
          <tr>
            <th scope="col">object</th>
            <th scope="col">counters</th>
          </tr>
        </thead>
        <tbody>
          {graph.nodes.map((n) => (
            <tr
              key={n.key}
              className={n.findings.length ? "flagged" : n.ghost ? "ghost" : undefined}
              onMouseEnter={() => point(n.key)}
              onMouseLeave={() => point(null)}
            >
              <th scope="row">
                {n.ghost ? (
                  <span className="ghost-name">{n.title}</span>
                ) : (
                  <button
                    type="button"
                    className="link"
                    aria-pressed={n.key === selection}
                    onClick={() => select(n.key)}
                    onFocus={() => point(n.key)}
                    onBlur={() => point(null)}
                  >
                    {n.title}
                  </button>
                )}
                <div className="quiet">{n.ghost ? "freed in this step" : n.subtitle}</div>
              </th>
              <td>
                {n.counters.map((c) => (c.old !== null ? `${c.field} ${c.old} → ${c.value}` : `${c.field} ${c.value}`)).join(", ")}
                {n.findings.map((f, i) => (
                  <div key={i} className="finding-text">
                    ⚠ {f.kind}: {f.message}
                  </div>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
