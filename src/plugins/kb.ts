// The knowledge base, as the public plugin API offers it (`import { kb } from 'xdp-doctor/plugin'`): errnos and
// xdp:* signals explained from kernel source, causes with their one severity, drop reasons, and the fixes the
// built-in rungs propose, so a plugin that sees the same thing says the same thing.
export { causeInfo, severityOf, type CauseInfo } from '../kb/causes.js';
export { errnoName, lookupErrno } from '../kb/errnos.js';
export { explainErrno, explanationText } from '../kb/explain.js';
export { counterMeaning, findSignal, redirectKind, signalCause, type RedirectKind } from '../kb/signals.js';
export { dropReasonInfo, isRoutineDrop } from '../kb/drop-reasons.js';
export { txChecksumFixes, vethPeerFixes, xdpPassFix, type VethContext } from '../kb/fixes.js';
