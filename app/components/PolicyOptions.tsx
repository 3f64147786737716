// SPDX-License-Identifier: GPL-2.0-only
/** The <option>s of a policy select, from the registry: its label, its one line as the tooltip. */
import { POLICY_TABLE } from "../../core/model/policies";

export function PolicyOptions() {
  return (
    <>
      {POLICY_TABLE.map((p) => (
        <option key={p.id} value={p.id} title={p.description}>
          {p.label}
        </option>
      ))}
    </>
  );
}
