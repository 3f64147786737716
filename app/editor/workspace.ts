// SPDX-License-Identifier: GPL-2.0-only
/**
 * The local drafts and their autosave, made once at boot (main.tsx) and
 * read by the recent-traces dialog; null where storage is denied and in
 * embed mode (an iframe saves nothing of its viewer's).
 */
import type { Autosave } from "./autosave";
import type { Drafts } from "./persist";

export const workspace: { drafts: Drafts | null; autosave: Autosave | null } = { drafts: null, autosave: null };
