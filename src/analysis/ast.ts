/**
 * Defensive readers over libpg-query's JSON AST. The parser hands us `unknown`
 * JSON, so every access goes through these helpers instead of casts; a shape we
 * do not expect reads as "absent", never as a crash.
 */

/** A JSON object node as the parser emits it. */
export type AstObject = Readonly<Record<string, unknown>>;

export function isObject(value: unknown): value is AstObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The body of a wrapped node (`{ "RangeVar": {...} }`) when its tag is `tag`. */
export function nodeOf(value: unknown, tag: string): AstObject | undefined {
  if (!isObject(value)) return undefined;
  const body = value[tag];
  return isObject(body) ? body : undefined;
}

/** The tag and body of a wrapped node; nodes always have exactly one key. */
export function unwrap(value: unknown): { readonly tag: string; readonly body: AstObject } | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  const tag = keys[0];
  if (keys.length !== 1 || tag === undefined) return undefined;
  const body = value[tag];
  return isObject(body) ? { tag, body } : undefined;
}

export function objectField(node: AstObject | undefined, key: string): AstObject | undefined {
  const value = node?.[key];
  return isObject(value) ? value : undefined;
}

export function stringField(node: AstObject | undefined, key: string): string | undefined {
  const value = node?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** Protobuf JSON omits `false` and `0`, so absence means the default. */
export function boolField(node: AstObject | undefined, key: string): boolean {
  return node?.[key] === true;
}

export function numberField(node: AstObject | undefined, key: string): number {
  const value = node?.[key];
  return typeof value === 'number' ? value : 0;
}

export function listField(node: AstObject | undefined, key: string): readonly unknown[] {
  const value = node?.[key];
  return Array.isArray(value) ? value : [];
}

/** `[{ String: { sval } }, ...]` as plain strings (names, column lists). */
export function stringList(items: readonly unknown[]): readonly string[] {
  const out: string[] = [];
  for (const item of items) {
    const s = stringField(nodeOf(item, 'String'), 'sval');
    if (s !== undefined) out.push(s);
  }
  return out;
}

/** The integer in an `A_Const` / `Integer` node; the parser omits `ival` for 0. */
export function integerValue(value: unknown): number | undefined {
  const aConst = nodeOf(value, 'A_Const');
  if (aConst !== undefined) {
    const ival = objectField(aConst, 'ival');
    return ival === undefined ? undefined : numberField(ival, 'ival');
  }
  const integer = nodeOf(value, 'Integer');
  return integer === undefined ? undefined : numberField(integer, 'ival');
}

/** Visits every wrapped node below `value` (depth first), tag and body. */
export function walk(value: unknown, visit: (tag: string, body: AstObject) => void): void {
  if (Array.isArray(value)) {
    for (const item of value) walk(item, visit);
    return;
  }
  if (!isObject(value)) return;
  const wrapped = unwrap(value);
  if (wrapped !== undefined && /^[A-Z]/.test(wrapped.tag)) {
    visit(wrapped.tag, wrapped.body);
    for (const child of Object.values(wrapped.body)) walk(child, visit);
    return;
  }
  for (const child of Object.values(value)) walk(child, visit);
}
