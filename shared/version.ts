// The product name and version every front door reports (the CLI, the terminal's `version`
// command, the API). Kept in sync with package.json by tests/unit/protocol/version.test.ts,
// because shared/ cannot read files at run time.
export const PRODUCT_NAME = 'Memscape'
export const VERSION = '0.1.0'
