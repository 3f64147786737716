/** The search subcommand registers itself here (issue 7). */
export {};
