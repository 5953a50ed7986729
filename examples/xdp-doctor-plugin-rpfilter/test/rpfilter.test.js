// @ts-check
// npm test: every recorded case through xdp-doctor's check tester.
import { describe, test } from 'vitest';
import { testCheck } from 'xdp-doctor/testing';
import { rpFilterCheck } from '../rp-filter.js';
import { cases } from './cases.js';

testCheck(rpFilterCheck, cases, { describe, test });
