/** The keyboard help dialog (?). */
import { useEffect, useRef } from "react";
import { setHelpOpen, useScope } from "../store";

const KEYS: [string, string][] = [
  ["← / →", "step back / forward"],
  ["space", "play / pause"],
  ["Home / End", "first / last step"],
  ["n", "next violation"],
  ["/", "focus the trace editor"],
  ["Tab, Enter", "reach a graph object, select it"],
  ["Esc", "leave the editor, close this help"],
  ["?", "this help"],
];

export function Help() {
  const open = useScope((s) => s.helpOpen);
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current!;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
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
        Select an object (click, or Tab then Enter) to inspect it and to apply an operation to it; each operation appends its line to the trace.
        Pages: <span className="swatch guest">guest (stripes)</span> <span className="swatch host">host (plain)</span> <span className="swatch kernel">kernel copy (dots)</span>.
      </p>
      <form method="dialog">
        <button type="submit" autoFocus>
          close
        </button>
      </form>
    </dialog>
  );
}
