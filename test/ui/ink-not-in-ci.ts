// Ink renders only its last frame when it believes it runs in CI (is-in-ci reads CI at import time). The
// component tests look at every frame, so they run Ink in its terminal mode even when CI=true is set for
// the suite. The product itself never renders Ink in CI: it is non-interactive there (src/interactive.ts).
process.env.CI = 'false';
delete process.env.CONTINUOUS_INTEGRATION;
