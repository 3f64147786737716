// SPDX-License-Identifier: GPL-2.0-only
/**
 * Open a trace from a file: the toolbar's "open…" button and a file dropped
 * anywhere on the page. A long trace (a million steps, tens of megabytes)
 * fits in neither a link nor the clipboard comfortably; the file is read by
 * the browser off the main thread (Blob.text) and handed to the engine
 * worker like any opened text.
 */
import { useEffect, useRef } from "react";
import { MAX_TRACE_BYTES } from "../../core/model/inputLimits";
import { useMachines } from "../context";
import type { Machines } from "../machines";
import { isOwnWork, savedTrace, setNotice, useScope } from "../store";

/** Why a file is refused before it is read, or null. */
export function fileProblem(file: { readonly name: string; readonly size: number }): string | null {
  if (file.size > MAX_TRACE_BYTES) {
    return `${file.name} is ${(file.size / 2 ** 20).toFixed(1)} MiB; a trace file may be at most ${MAX_TRACE_BYTES / 2 ** 20} MiB`;
  }
  return null;
}

/** Read a file and open it at its first violation; the user's own trace it replaces is offered back. */
export async function openFile(machines: Pick<Machines, "open">, file: File): Promise<void> {
  const problem = fileProblem(file);
  if (problem) return setNotice({ kind: "error", text: `This file cannot be opened: ${problem}.` });
  let text: string;
  try {
    text = await file.text();
  } catch (e) {
    return setNotice({ kind: "error", text: `${file.name} could not be read: ${e instanceof Error ? e.message : String(e)}.` });
  }
  const previous = isOwnWork() && useScope.getState().source !== text ? savedTrace() : undefined;
  machines.open(text, "first-violation", null);
  setNotice(previous ? { kind: "info", text: `${file.name} replaced your trace; it is kept until you open something else.`, previous } : null);
}

const hasFiles = (e: DragEvent) => e.dataTransfer?.types.includes("Files") ?? false;

/** The "open…" button (a hidden file input behind it) and the page-wide drop target. */
export function OpenFile() {
  const machines = useMachines();
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault(); // without it the browser opens the file itself
      if (e.dataTransfer) e.dataTransfer.dropEffect = "copy";
    };
    const drop = (e: DragEvent) => {
      const file = e.dataTransfer?.files[0];
      if (!file) return;
      e.preventDefault();
      void openFile(machines, file);
    };
    window.addEventListener("dragover", over);
    window.addEventListener("drop", drop);
    return () => {
      window.removeEventListener("dragover", over);
      window.removeEventListener("drop", drop);
    };
  }, [machines]);

  return (
    <>
      <button type="button" onClick={() => input.current?.click()} data-testid="open-file" title="open a trace file (or drop one on the page)">
        open…
      </button>
      <input
        ref={input}
        type="file"
        accept=".trace,.txt,text/plain"
        hidden
        data-testid="open-file-input"
        aria-label="trace file"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          e.currentTarget.value = ""; // the same file again is a new open
          if (file) void openFile(machines, file);
        }}
      />
    </>
  );
}
