// SPDX-License-Identifier: GPL-2.0-only
/**
 * The permalink fix codes (format 2): a link names a reverted fix by its
 * index in this table. Append-only: never reorder or remove an id, even
 * if the catalogue (core/fixes/catalogue.ts) drops or renames one; a
 * test checks that every catalogued fix has a code.
 */
export const FIX_CODES: readonly string[] = [
  "segment-zerocopy-frags",
  "segment-uarg-clone",
  "split-zerocopy-clone",
  "expand-head-uarg-ref",
  "pskb-copy-uarg-clone",
  "zerocopy-orphan-frags",
  "zerocopy-uarg-clone",
  "shift-refuse-zcopy",
  "coalesce-refuse-zcopy",
  "gro-refuse-zcopy",
  "rx-orphan-frags",
  "vhost-complete-once",
  "zerocopy-no-tx-error-source",
  "tx-error-cloned",
  "ovs-tx-error-drop",
  "pp-recycle-last-clone",
  "coalesce-pp-recycle",
  "esp-pp-unref",
  "managed-downgrade-expand",
  "managed-downgrade-split",
  "managed-skip-unref",
  "esp-downgrade-managed",
  "pskb-copy-shared-frag",
  "shift-shared-frag",
  "coalesce-shared-frag",
  "segment-shared-frag-fraglist",
  "split-pure-zerocopy",
  "copy-ubufs-big-tcp",
  "tcp-mixed-splice-zerocopy",
  "tcp-zerocopy-all-frags",
  "pskb-carve-zcopy-ref",
  "zerocopy-realloc-dgram-ref",
];
