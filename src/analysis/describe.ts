import { displayRelation } from './relation.js';
import type { NamedObject } from './statement.js';

/** `users`, `trigger sync_email on users`, `function app.f()`: how messages name an object. */
export function describeObject(object: NamedObject): string {
  const name = displayRelation(object.name);
  if (object.member !== undefined) return `${object.objectType} ${object.member} on ${name}`;
  return object.objectClass === 'routine' ? `${object.objectType} ${name}()` : `${object.objectType} ${name}`;
}
