// SPDX-License-Identifier: GPL-2.0-only
import { useEffect, useRef } from "react";

/**
 * A <dialog> shown modally while `open` is true. `onShow` runs right after
 * it opens (to put the focus where the user will start).
 */
export function useModal(open: boolean, onShow?: (dialog: HTMLDialogElement) => void) {
  const ref = useRef<HTMLDialogElement>(null);
  const show = useRef(onShow);
  show.current = onShow;
  useEffect(() => {
    const d = ref.current!;
    if (open && !d.open) {
      d.showModal();
      show.current?.(d);
    }
    if (!open && d.open) d.close();
  }, [open]);
  return ref;
}
