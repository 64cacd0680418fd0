import { describe, expectTypeOf, it } from 'vitest';
import {
  analyzeMigration,
  analyzeSqlFile,
  type AnalysisInput,
  type AnalysisResult,
  type Finding,
  type LockLevel,
  type RuleId,
  RULES,
  type Severity,
  splitStatements,
  type StatementFacts,
} from '../../src/analysis/index.js';
import type { Phase } from '../../src/plan/index.js';

describe('the public analysis API', () => {
  it('has the documented function signatures', () => {
    expectTypeOf(analyzeMigration).toEqualTypeOf<(input: AnalysisInput) => Promise<AnalysisResult>>();
    expectTypeOf(analyzeSqlFile).parameter(0).toEqualTypeOf<string>();
    expectTypeOf(analyzeSqlFile).returns.toEqualTypeOf<Promise<AnalysisResult>>();
    expectTypeOf(splitStatements).toEqualTypeOf<(sql: string) => Promise<readonly { readonly sql: string; readonly line: number }[]>>();
  });

  it('keeps findings and facts as readonly data', () => {
    expectTypeOf<Finding['rule']>().toEqualTypeOf<RuleId>();
    expectTypeOf<Finding['severity']>().toEqualTypeOf<Severity>();
    expectTypeOf<Finding['phase']>().toEqualTypeOf<Phase | undefined>();
    expectTypeOf<StatementFacts['locks'][number]['level']>().toEqualTypeOf<LockLevel>();
    expectTypeOf(RULES).toEqualTypeOf<Readonly<Record<RuleId, { readonly title: string; readonly explanation: string; readonly hint: string }>>>();
  });
});
