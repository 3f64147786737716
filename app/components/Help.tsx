// SPDX-License-Identifier: GPL-2.0-only
import { useModal } from "./useModal";
/** The keyboard help dialog (?). */
import { setHelpOpen, useScope } from "../store";

const KEYS: [string, string][] = [
  ["← / →, PageUp / PageDown", "step back / forward (a presentation clicker's keys)"],
  ["space", "play / pause; presenting: next step"],
  ["Home / End", "first / last step"],
  ["n", "next violation"],
  ["/", "focus the trace editor"],
  ["Ctrl+Space", "in the editor: complete an operation or a name"],
  ["Ctrl+Z / Ctrl+Shift+Z", "in the editor: undo / redo"],
  ["Tab, Enter", "reach a graph object (it lights up with its holders), select it"],
  ["p", "presentation mode (Esc leaves it)"],
  ["g", "the story gallery"],
  ["f", "find counterexamples: search every short trace for one that breaks a policy"],
  ["s", "share: link, email text, images"],
  ["Esc", "leave the editor or presentation mode, close a dialog"],
  ["?", "this help"],
];

export function Help() {
  const open = useScope((s) => s.helpOpen);
  const ref = useModal(open);
  return (
    <dialog ref={ref} className="help" onClose={() => setHelpOpen(false)} aria-label="keyboard help">
      <h2>Keys</h2>
      <table>
        <tbody>
          {KEYS.map(([k, what]) => (
            <tr key={k}>
              <th scope="row">
                <kbd>{k}</kbd>
              </th>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p>
        Point at an object (hover, or Tab to it) to light up every holder of it and everything it holds. Select it (click, or Enter) to inspect it and to apply
        an operation to it; each operation appends its line to the trace. Pages: <span className="swatch guest">guest (stripes)</span>{" "}
        <span className="swatch host">host (plain)</span> <span className="swatch kernel">kernel copy (dots)</span>.
      </p>
      <form method="dialog">
        <button type="submit" autoFocus>
          close
        </button>
      </form>
    </dialog>
  );
}
