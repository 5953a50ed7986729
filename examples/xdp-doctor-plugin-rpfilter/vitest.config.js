// The plugin's own test setup (keeps vitest from picking up a parent project's config).
export default { test: { include: ['test/**/*.test.js'] } };
