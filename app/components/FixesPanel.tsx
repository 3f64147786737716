// SPDX-License-Identifier: GPL-2.0-only
/**
 * The fixes panel: switch catalogued kernel fixes off for the trace on
 * screen (the run then takes the code before each fix, core/fixes/fixed.ts)
 * and see the verdict matrix with every fix in beside the one without.
 * The choice travels in the permalink and the email text like the policy.
 *
 * Reads the catalogue as plain data (core/fixes/), never the engine: the
 * worker runs the traces.
 */
import { fixById } from "../../core/fixes/catalogue";
import { REVERTIBLE, sortFixIds } from "../../core/fixes/fixed";
import { useMachines } from "../context";
import { appStory } from "../stories";
import { useScope } from "../store";
import type { MatrixRow } from "../worker/protocol";

export function FixesPanel() {
  const without = useScope((s) => s.without);
  // The switches show what was asked (at once), the table what the engine ran.
  const chosen = useScope((s) => s.withoutChoice ?? s.without);
  const kernel = useScope((s) => s.kernel);
  const storyId = useScope((s) => s.storyId);
  const { chooseWithout } = useMachines();
  const storyFix = appStory(storyId)?.fix?.id ?? null;
  // The story's own fix first: it is the one the story is about.
  const order = storyFix ? [storyFix, ...REVERTIBLE.filter((id) => id !== storyFix)] : REVERTIBLE;
  const toggle = (id: string, off: boolean) => {
    const next = off ? [...chosen, id] : chosen.filter((x) => x !== id);
    chooseWithout(sortFixIds(next));
  };
  return (
    <details className="fixes" data-testid="fixes-panel" open={chosen.length > 0 || storyFix !== null}>
      <summary>
        kernel fixes <span className="quiet">({without.length ? `${without.length} switched off` : "all in"})</span>
      </summary>
      {kernel !== "6.1" && <p className="quiet">The fixes are in the 6.1 model; on {kernel} switching one off changes nothing.</p>}
      {without.length > 0 && <SideBySide without={without} />}
      <ul className="fix-list">
        {order.map((id) => {
          const fix = fixById(id)!;
          const off = chosen.includes(id);
          return (
            <li key={id} className={off ? "off" : undefined}>
              <label title={`${fix.subject}\n${fix.function}, ${fix.lines.join(", ")}\nBefore: ${fix.before}`}>
                <input type="checkbox" data-fix={id} checked={off} onChange={(e) => toggle(id, e.currentTarget.checked)} /> switch off <code>{id}</code>
                {id === storyFix && <span className="story-fix"> (this story's fix)</span>}
                <span className="fix-subject">
                  {fix.function}: “{fix.subject}”{fix.landed ? `, ${fix.landed}` : fix.stable61 ? `, Debian ${fix.stable61}` : ""}
                </span>
              </label>
            </li>
          );
        })}
      </ul>
    </details>
  );
}

/** The matrix with every fix in beside the matrix of this run. */
function SideBySide({ without }: { without: readonly string[] }) {
  const matrix = useScope((s) => s.matrix);
  const shipped = useScope((s) => s.matrixShipped);
  if (!matrix || !shipped) return <p className="quiet">computing…</p>;
  const caption = `verdicts with every fix in, and without ${without.join(", ")}`;
  const verdict = (rows: readonly MatrixRow[], policy: string) => rows.find((r) => r.policy === policy)?.verdict ?? "—";
  return (
    <table className="fix-matrix" data-testid="fix-matrix" aria-label={caption}>
      <thead>
        <tr>
          <th scope="col">policy</th>
          <th scope="col" title="every fix in: the kernel as shipped">
            with
          </th>
          <th scope="col" title={`switched off: ${without.join(", ")}`}>
            without
          </th>
          <th scope="col" aria-label="the fix matters" />
        </tr>
      </thead>
      <tbody>
        {matrix.map((row) => {
          const before = verdict(shipped, row.policy);
          const changed = before !== row.verdict;
          return (
            <tr key={row.policy} className={changed ? "changed" : undefined} data-policy={row.policy}>
              <th scope="row">{row.policy}</th>
              <td className={before === "ok" ? "ok" : before === "n/a" ? "na" : "bad"}>{before}</td>
              <td className={row.verdict === "ok" ? "ok" : row.verdict === "n/a" ? "na" : "bad"}>{row.verdict}</td>
              <td className="mark" title={changed ? "the fix matters here" : undefined}>
                {changed ? "≠" : ""}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
