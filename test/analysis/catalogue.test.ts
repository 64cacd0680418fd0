import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RULE_IDS, RULES } from '../../src/analysis/index.js';

const docs = readFileSync(new URL('../../docs/rules.md', import.meta.url), 'utf8');

describe('the rule catalogue', () => {
  it('has a title, explanation and hint for every rule id', () => {
    expect(Object.keys(RULES).sort()).toEqual([...RULE_IDS].sort());
    for (const id of RULE_IDS) {
      expect(RULES[id].title.length, id).toBeGreaterThan(0);
      expect(RULES[id].explanation.length, id).toBeGreaterThan(40);
      expect(RULES[id].hint.length, id).toBeGreaterThan(20);
    }
  });

  it('uses kebab-case rule ids', () => {
    for (const id of RULE_IDS) expect(id).toMatch(/^[a-z]+(-[a-z]+)*$/);
  });

  it.each([...RULE_IDS])('has a section for %s in docs/rules.md', (id) => {
    expect(docs).toContain(`\n### ${id}\n`);
  });

  it('documents no rule that does not exist', () => {
    const documented = [...docs.matchAll(/^### (\S+)$/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual([...RULE_IDS].sort());
  });

  it('documents the suppression syntax', () => {
    expect(docs).toContain('-- phasegate:allow <rule-id>');
  });
});
