// SPDX-License-Identifier: GPL-2.0-only
/**
 * The completion policies' behaviour, by id. The mapped type makes the
 * compiler refuse a row of core/model/policies.ts without a module here,
 * and a module filed under another policy's id (registry.test.ts).
 *
 * Adding a policy: its row in core/model/policies.ts, its module in this
 * folder, one line below.
 */
import type { Page, PolicyId } from "../model/types";
import { destructor } from "./destructor";
import { ioUringNotif } from "./io-uring-notif";
import { msgZerocopy } from "./msg-zerocopy";
import { pagePool } from "./page-pool";
import { pageRefs } from "./page-refs";
import { shinfoRelease } from "./shinfo-release";
import type { CompletionPolicy } from "./types";
import { ubufOrphan } from "./ubuf-orphan";

export const POLICY_MODULES: { readonly [P in PolicyId]: CompletionPolicy<P> } = {
  "page-refs": pageRefs,
  destructor: destructor,
  "shinfo-release": shinfoRelease,
  "ubuf-orphan": ubufOrphan,
  "msg-zerocopy": msgZerocopy,
  "page-pool": pagePool,
  "io-uring-notif": ioUringNotif,
};

export function completionPolicy(policy: PolicyId): CompletionPolicy {
  return POLICY_MODULES[policy];
}

const isGuestPage = (page: Page): boolean => page.owner === "guest";

/** Which pages a buffer armed under `policy` protects: the policy's ownsPage, else the guest's. */
export function ownerOwns(policy: PolicyId): (page: Page) => boolean {
  const owns = POLICY_MODULES[policy].ownsPage;
  return owns ? (page) => owns(page) : isGuestPage;
}
