import { describe, expectTypeOf, it } from 'vitest';
import {
  preparePlanReport,
  renderHtml,
  renderJson,
  renderMarkdown,
  renderText,
  type PlanReport,
  type PreparePlanOptions,
} from '../../src/index.js';
import type { MarkdownOptions, TextOptions } from '../../src/report/index.js';

describe('the public plan report API', () => {
  it('makes a report value, then renders it with one pure function per format', () => {
    expectTypeOf(preparePlanReport).toEqualTypeOf<(options: PreparePlanOptions) => Promise<PlanReport>>();
    expectTypeOf(renderText).toEqualTypeOf<(report: PlanReport, options?: TextOptions) => string>();
    expectTypeOf(renderMarkdown).toEqualTypeOf<(report: PlanReport, options?: MarkdownOptions) => string>();
    expectTypeOf(renderJson).toEqualTypeOf<(report: PlanReport) => string>();
    expectTypeOf(renderHtml).toEqualTypeOf<(report: PlanReport) => string>();
  });

  it('keeps the report readonly and versioned', () => {
    expectTypeOf<PlanReport['schemaVersion']>().toEqualTypeOf<2>();
    expectTypeOf<PlanReport['units']>().toEqualTypeOf<readonly PlanReport['units'][number][]>();
    expectTypeOf<PlanReport['units'][number]['steps'][number]['kind']>().toEqualTypeOf<'sql' | 'backfill' | 'verify'>();
  });
});
