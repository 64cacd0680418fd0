import { describe, expect, it } from 'vitest';
import { evaluateGate, type GateFacts } from '../../src/gates/index.js';
import type { Gate } from '../../src/plan/index.js';

const now = new Date('2026-11-23T12:00:00Z');
const facts = (overrides: Partial<GateFacts> = {}): GateFacts => ({
  markers: new Set(['api-v1-retired']),
  deployedVersions: new Map([['api', '2.4.0']]),
  unit: { migrationId: '1_x', phase: 'drop' },
  approved: false,
  previousPhaseFinishedAt: new Date(now.getTime() - 3_600_000),
  now,
  ...overrides,
});

describe('evaluateGate', () => {
  it.each<[string, Gate, Partial<GateFacts>, boolean, string?]>([
    ['a recorded marker', { kind: 'marker', name: 'api-v1-retired' }, {}, true],
    ['a missing marker', { kind: 'marker', name: 'api-reads-new' }, {}, false, 'marker "api-reads-new" not recorded'],
    ['a deployed version in range', { kind: 'appVersion', app: 'api', range: '>=2.0.0' }, {}, true],
    ['a deployed version out of range', { kind: 'appVersion', app: 'api', range: '>=3.0.0' }, {}, false, 'app "api" is at 2.4.0; needs a version in >=3.0.0'],
    ['an app never deployed', { kind: 'appVersion', app: 'web', range: '*' }, {}, false, 'no deploy of app "web" recorded'],
    ['a soak that has passed', { kind: 'soak', ms: 1_800_000, text: '30m' }, {}, true],
    ['a soak still running', { kind: 'soak', ms: 86_400_000, text: '24h' }, {}, false, 'soak 24h: 23h left'],
    ['a soak whose previous phase has not finished', { kind: 'soak', ms: 1000, text: '1s' }, { previousPhaseFinishedAt: undefined }, false, 'previous phase has not finished'],
    ['an approval recorded', { kind: 'approval' }, { approved: true }, true],
    ['an approval missing', { kind: 'approval' }, {}, false, 'migrate approve 1_x drop --by <you>'],
    ['all of several gates holding', { kind: 'all', gates: [{ kind: 'marker', name: 'api-v1-retired' }, { kind: 'soak', ms: 1000, text: '1s' }] }, {}, true],
  ])('judges %s', (_name, gate, overrides, holds, missing) => {
    const verdict = evaluateGate(gate, facts(overrides));
    expect(verdict.holds).toBe(holds);
    if (!verdict.holds) expect(verdict.missing).toContain(missing);
  });

  it('lists every missing part of an all-gate', () => {
    const verdict = evaluateGate(
      { kind: 'all', gates: [{ kind: 'marker', name: 'x' }, { kind: 'approval' }, { kind: 'marker', name: 'api-v1-retired' }] },
      facts(),
    );
    expect(verdict).toEqual({ holds: false, missing: expect.stringMatching(/marker "x".*; approval not recorded/) });
  });

  it('holds when there is no gate', () => {
    expect(evaluateGate(undefined, facts())).toEqual({ holds: true });
  });
});
