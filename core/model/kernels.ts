// SPDX-License-Identifier: GPL-2.0-only
/** The kernels the engine models (profiles in core/model/kernel.ts). */
export type KernelId = "6.1" | "2.6.32";
