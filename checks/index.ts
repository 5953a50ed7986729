// The built-in ladder, in rung order. Each rung is written against the same public API plugins use.
import { type Check } from '../src/plugins/api.js';
import preflight from './preflight.js';
import inventory from './inventory.js';
import routing from './routing.js';
import tracePipe from './trace-pipe.js';
import mapDump from './map-dump.js';
import xdpdump from './xdpdump.js';
import packetSanity from './packet-sanity.js';
import errnoExplain from './errno-explain.js';
import ethtoolStats from './ethtool-stats.js';
import tracepoints from './tracepoints.js';
import dropReasons from './drop-reasons.js';
import packetFate from './packet-fate.js';
import helperPreconditions from './helper-preconditions.js';

export const BUILTIN_CHECKS: Check[] = [preflight, inventory, routing, tracePipe, mapDump, xdpdump, packetSanity, errnoExplain, ethtoolStats, tracepoints, dropReasons, packetFate, helperPreconditions];
