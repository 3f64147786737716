// SPDX-License-Identifier: GPL-2.0-only
/** The running machines, for components that send them events. */
import { createContext, useContext } from "react";
import type { Machines } from "./machines";

export const MachinesContext = createContext<Machines | null>(null);

export function useMachines(): Machines {
  const m = useContext(MachinesContext);
  if (!m) throw new Error("useMachines outside <MachinesContext.Provider>");
  return m;
}
